# asyncbench charts from one run's CSV.
#
#   gnuplot -e "csv='Results/results.csv'; out='Results/charts'" plot.gnuplot
#   (or: asyncbench plot Results)
#
# Draws, as PNG and SVG into the folder `out` (which must exist):
#   overhead_per_task  wall-time overhead per task vs tasks, one line per backend, log-log (C2, C3)
#   efficiency         latency / wall vs tasks, with the sequential baseline (C3)
#   rss_per_task       RSS above the idle cell per task vs tasks, fork with its children (C2, C8)
#   heap_per_task      heap bytes per task vs tasks (schema 3 runs: the memory repetition) (C2)
#   memory_parts       user (RSS) and kernel bytes per task stacked, per backend, at the largest N
#                      every backend with a kernel figure has one (C2, C8)
#   highest_tasks      highest task count completed per backend, cells that hit a limit marked (C2, C8)
#   capacity           highest N held at once per backend, from capacity.csv beside the CSV (C2)
# from the `sleep` rows, and from the `switch` rows:
#   switch_ns          ns per switch per backend, pinned to one CPU and unpinned, log scale (C1)
# and from the `cpu` rows:
#   cpu_speedup        speedup over one task on one thread per backend, at the largest N (C7)
# and from the `net` rows:
#   net_throughput     requests per second vs tasks, one line per backend, log-log (C4)
#   net_p99            99th percentile round trip vs tasks, one line per backend, log-log (C4)
# and from the `net-rate` rows (open loop), at their largest N:
#   net_rate_latency   p50 (dashed) and p99 (solid) round trip from the intended send time vs
#                      offered requests per second, one colour per backend, log-log (C4)
# and from the `file` and `file-offload` rows:
#   files_per_s        files written, read back and verified per second per backend at the
#                      largest N, blocking calls in place and offloaded to a thread pool (C5)
# A run without a workload's rows gets none of its charts (nothing is drawn empty).
# Only rows with status ok are drawn (limits are marked on highest_tasks); `#` lines (run
# metadata) are skipped and the machine line becomes the subtitle.

if (!exists("csv")) csv = "results.csv"
if (!exists("out")) out = "."

set datafile separator ","
set datafile commentschars "#"
set datafile columnheaders

# Charts draw the system allocator's rows: a run with --allocator both also has jemalloc rows,
# which REPORT.md compares with them. `keep` prints the CSV without the other allocators' rows.
keep = "awk -F, '/^#/ {print; next} !h {h = 1; for (i = 1; i <= NF; i++) if ($i == \"allocator\") a = i; print; next} !a || $a == \"system\"' '" . csv . "'"
data = "< " . keep

machine = system("sed -n 's/^# machine: //p' '" . csv . "' | sed 's/; jemalloc cells.*//' | head -n 1")
sleeprows = int(system(keep . " | awk -F, '!/^#/ && $3 == \"sleep\" && /,ok,/' | wc -l"))
# The sleep rows' smallest and largest task counts: one count alone needs an explicit x range.
taskrange = system(keep . " | awk -F, '!/^#/ && $3 == \"sleep\" && $4 + 0 > 0 {if (!n++ || $4 + 0 < lo) lo = $4 + 0; if ($4 + 0 > hi) hi = $4 + 0} END {print lo + 0, hi + 0}'")
tmin = real(word(taskrange, 1))
tmax = real(word(taskrange, 2))
backends = system(keep . " | awk -F, '!/^#/ && NR > 1 && $2 != \"backend\" && $3 == \"sleep\" {print $2}' | awk '!seen[$0]++' | tr '\\n' ' '")

# Per backend (in run order): index, name, highest N completed ok, N at the first limit.
highest_program = 'BEGIN {FS = ","} /^#/ {next} !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next} $c["workload"] == "sleep" {b = $c["backend"]; if (!(b in seen)) {seen[b] = ++n; o[n] = b} if ($c["status"] == "ok" && $c["tasks"] + 0 > m[b]) m[b] = $c["tasks"] + 0; if ($c["status"] == "limit") {r = $c["tasks_reached"]; if (r == "") r = $c["tasks"]; if (!(b in l) || r + 0 < l[b]) l[b] = r + 0}} END {for (i = 1; i <= n; i++) {b = o[i]; printf "%d %s %s %s\n", i - 1, b, (b in m) ? m[b] : "NaN", (b in l) ? l[b] : "NaN"}}'
highest = "< " . keep . " | awk '" . highest_program . "'"

# Per backend with switch rows: index, name, ns per switch pinned, unpinned (smallest pair count).
switch_program = 'BEGIN {FS = ","} /^#/ {next} !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next} $c["workload"] == "switch" && $c["status"] == "ok" {b = $c["backend"]; if (!(b in seen)) {seen[b] = ++n; o[n] = b} k = b SUBSEP $c["pinned"]; t = $c["tasks"] + 0; if (!(k in tasks) || t < tasks[k]) {tasks[k] = t; ns[k] = $c["switch_ns"]}} END {for (i = 1; i <= n; i++) {b = o[i]; p = b SUBSEP "yes"; u = b SUBSEP "no"; printf "%d %s %s %s\n", i - 1, b, (p in ns) ? ns[p] : "NaN", (u in ns) ? ns[u] : "NaN"}}'
switches = "< " . keep . " | awk '" . switch_program . "'"
# Per backend with cpu rows: index, name, speedup at the largest N.
cpu_program = 'BEGIN {FS = ","} /^#/ {next} !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next} $c["workload"] == "cpu" && $c["status"] == "ok" {b = $c["backend"]; if (!(b in seen)) {seen[b] = ++n; o[n] = b} t = $c["tasks"] + 0; if (!(b in tasks) || t > tasks[b]) {tasks[b] = t; s[b] = $c["speedup"]}; if (t > most) most = t} END {for (i = 1; i <= n; i++) {b = o[i]; printf "%d %s %s %d\n", i - 1, b, s[b], tasks[b]}}'
speedups = "< " . keep . " | awk '" . cpu_program . "'"
cpurows = int(system(keep . " | awk -F, '!/^#/ && $3 == \"cpu\" && /,ok,/' | wc -l"))
heaprows = int(system(keep . " | awk -F, '/^#/ {next} !h {h = 1; for (i = 1; i <= NF; i++) if ($i == \"heap_bytes_per_task\") c = i; next} c && $3 == \"sleep\" && $c != \"\"' | wc -l"))
cores = int(system("sed -n 's/^# machine: \\([0-9]*\\) cores.*/\\1/p' '" . csv . "' | head -n 1"))
switchrows = int(system(keep . " | awk -F, '!/^#/ && $3 == \"switch\" && /,ok,/' | wc -l"))
netrows = int(system(keep . " | awk -F, '!/^#/ && $3 == \"net\" && /,ok,/' | wc -l"))
netbackends = system(keep . " | awk -F, '!/^#/ && $3 == \"net\" && /,ok,/ {print $2}' | awk '!seen[$0]++' | tr '\\n' ' '")
# Per backend with file rows: index, name, files/s in place and offloaded, at the largest N of the file rows.
file_program = 'BEGIN {FS = ","} /^#/ {next} !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next} ($c["workload"] == "file" || $c["workload"] == "file-offload") && $c["status"] == "ok" {b = $c["backend"]; if (!(b in seen)) {seen[b] = ++n; o[n] = b} t = $c["tasks"] + 0; r[b SUBSEP $c["workload"] SUBSEP t] = $c["files_per_s"]; if (t > most) most = t} END {for (i = 1; i <= n; i++) {b = o[i]; p = b SUBSEP "file" SUBSEP most; q = b SUBSEP "file-offload" SUBSEP most; if ((p in r) || (q in r)) printf "%d %s %s %s\n", k++, b, (p in r) ? r[p] : "NaN", (q in r) ? r[q] : "NaN"} print "# N " most}'
files = "< " . keep . " | awk '" . file_program . "'"
filerows = int(system(keep . " | awk -F, '!/^#/ && ($3 == \"file\" || $3 == \"file-offload\") && /,ok,/' | wc -l"))
filemost = system(keep . " | awk '" . file_program . "' | sed -n 's/^# N //p'")

# Per backend with kernel figures: index, name, RSS and kernel bytes per task at the largest N they all have.
parts_program = 'BEGIN {FS = ","} /^#/ {next} !h {for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next} ("kernel_bytes_per_task" in c) && $c["workload"] == "sleep" && $c["status"] == "ok" && $c["kernel_bytes_per_task"] != "" && $c["rss_bytes_per_task"] != "" {b = $c["backend"]; if (!(b in seen)) {seen[b] = ++n; o[n] = b} t = $c["tasks"] + 0; k = b SUBSEP t; r[k] = $c["rss_bytes_per_task"]; q[k] = $c["kernel_bytes_per_task"]; if (!(k in u)) {u[k] = 1; has[t]++}} END {for (t in has) if (has[t] == n && t + 0 > most) most = t + 0; if (most > 0) for (i = 1; i <= n; i++) {k = o[i] SUBSEP most; printf "%d %s %s %s\n", i - 1, o[i], r[k], q[k]} print "# N " most}'
parts = "< " . keep . " | awk '" . parts_program . "'"
partsrows = int(system(keep . " | awk '" . parts_program . "' | grep -vc '^#'"))
partsn = system(keep . " | awk '" . parts_program . "' | sed -n 's/^# N //p'")

ok(b) = (strcol("backend") eq b && strcol("status") eq "ok" && strcol("workload") eq "sleep")
pick(b, name) = ok(b) ? column(name) : NaN
okrow(name) = (strcol("status") eq "ok" && strcol("workload") eq "sleep" && column(name) > 0) ? column(name) : NaN

if (sleeprows > 0) {
do for [format in "pngcairo svg"] {
    ext = (format eq "svg") ? "svg" : "png"
    if (format eq "svg") { set terminal svg size 900,560 dynamic font "sans,11" } else { set terminal pngcairo size 900,560 font "sans,10" }
    set datafile columnheaders
    set key inside top left box opaque
    set grid
    set logscale x 10
    if (tmin > 0 && tmin == tmax) { set xrange [tmin / 2:tmax * 2] } else { set autoscale x }
    set xlabel "concurrent tasks N"
    set pointsize 1.2
    set format y "% h"

    set title "Wall-time overhead per task: (wall − latency) / N, sleep workload\n{/*0.8 " . machine . "}"
    set logscale y 10
    set ylabel "overhead per task (µs, log)"
    # A single point has no y range of its own: give it one (else gnuplot warns); a point that
    # is not positive (no latency, no overhead) cannot be on a log scale and gets none.
    if (sleeprows == 1) { stats data using (okrow("overhead_us_per_task")) name "Y" nooutput; if (exists("Y_min") && Y_min > 0) { set yrange [Y_min / 2:Y_max * 2] } }
    # No point on the log scale (e.g. no overhead at --latency 0ns): no chart, rather than an error.
    stats data using (okrow("overhead_us_per_task") > 0 ? okrow("overhead_us_per_task") : NaN) name "V" nooutput
    if (exists("V_records") && V_records > 0) {
        set output out . "/overhead_per_task." . ext
        plot for [b in backends] data using (pick(b, "tasks")):(pick(b, "overhead_us_per_task")) with linespoints title b
    }
    set autoscale y

    set output out . "/efficiency." . ext
    set title "Efficiency: latency / wall (1.0 = N waits cost one wait), sleep workload\n{/*0.8 " . machine . "}"
    unset logscale y
    set yrange [0:1.05]
    set ylabel "efficiency (latency / wall)"
    set key inside bottom left
    plot for [b in backends] data using (pick(b, "tasks")):(pick(b, "efficiency")) with linespoints title b
    set autoscale y
    set key inside top left

    set title "Memory per task: (peak RSS − idle RSS) / N, sleep workload (fork: + its children's private memory)\n{/*0.8 " . machine . "}"
    set logscale y 2
    set format y "%.0b %BB"
    set key inside top right
    set ylabel "RSS per task (log)"
    if (sleeprows == 1) { stats data using (okrow("rss_bytes_per_task")) name "Y" nooutput; if (exists("Y_min") && Y_min > 0) { set yrange [Y_min / 2:Y_max * 2] } }
    # No point on the log scale (e.g. no overhead at --latency 0ns): no chart, rather than an error.
    stats data using (okrow("rss_bytes_per_task") > 0 ? okrow("rss_bytes_per_task") : NaN) name "V" nooutput
    if (exists("V_records") && V_records > 0) {
        set output out . "/rss_per_task." . ext
        plot for [b in backends] data using (pick(b, "tasks")):(pick(b, "rss_bytes_per_task") > 0 ? pick(b, "rss_bytes_per_task") : NaN) with linespoints title b
    }
    set autoscale y
    if (heaprows > 0) {
        set title "Heap per task: allocator's bytes in use at the peak − before, / N, sleep workload (not fork)\n{/*0.8 " . machine . "}"
        set ylabel "heap bytes per task (log)"
        set key inside bottom left
        if (heaprows == 1) { stats data using (okrow("heap_bytes_per_task")) name "Y" nooutput; if (exists("Y_min") && Y_min > 0) { set yrange [Y_min / 2:Y_max * 2] } }
        # No point on the log scale (e.g. no overhead at --latency 0ns): no chart, rather than an error.
        stats data using (okrow("heap_bytes_per_task") > 0 ? okrow("heap_bytes_per_task") : NaN) name "V" nooutput
        if (exists("V_records") && V_records > 0) {
            set output out . "/heap_per_task." . ext
            plot for [b in backends] data using (pick(b, "tasks")):(pick(b, "heap_bytes_per_task") > 0 ? pick(b, "heap_bytes_per_task") : NaN) with linespoints title b
        }
        set autoscale y
    }
    set format y "% h"
    set key inside top left

    set output out . "/highest_tasks." . ext
    set title "Highest task count completed per backend (red: the N where a limit was hit), sleep workload\n{/*0.8 " . machine . "}"
    set datafile nocolumnheaders
    set datafile separator whitespace
    unset logscale x
    set logscale y 10
    unset xlabel
    set ylabel "tasks N (log)"
    set xrange [-0.6:*]
    set yrange [1:*]
    set style fill solid 0.5 border -1
    set boxwidth 0.6
    set key below horizontal
    plot highest using 1:3:xtic(2) with boxes lc rgb "#4477aa" title "highest N completed (the sweep's largest N, or --sequential-max-tasks)", \
         highest using 1:4 with points pt 7 ps 2 lc rgb "red" title "limit hit at N"
    unset xrange
    unset yrange
    unset logscale y
    unset style fill
    set xtics autofreq
    set xlabel "concurrent tasks N"
    set datafile separator ","
    set key inside top left
    unset output
}
}

if (partsrows > 0) {
do for [format in "pngcairo svg"] {
    ext = (format eq "svg") ? "svg" : "png"
    if (format eq "svg") { set terminal svg size 900,560 dynamic font "sans,11" } else { set terminal pngcairo size 900,560 font "sans,10" }
    set output out . "/memory_parts." . ext
    set title "Memory per task at N = " . partsn . ": user (RSS) and kernel (stacks, page tables, slab), sleep workload\n{/*0.8 " . machine . "}"
    set datafile nocolumnheaders
    set datafile separator whitespace
    unset logscale x
    unset logscale y
    unset xlabel
    set ylabel "bytes per task"
    set format y "%.0b %BB"
    set xrange [-0.6:*]
    set yrange [0:*]
    set grid
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set key below horizontal
    plot parts using 1:($3 + $4):xtic(2) with boxes lc rgb "#ee6677" title "kernel (the cell's own accounting, peak − idle)", \
         parts using 1:3 with boxes lc rgb "#4477aa" title "user (RSS: peak − idle, fork: + children's private memory)"
    unset output
    unset xrange
    unset yrange
    set format y "% h"
    set datafile separator ","
}
}

if (switchrows > 0) {
do for [format in "pngcairo svg"] {
    ext = (format eq "svg") ? "svg" : "png"
    if (format eq "svg") { set terminal svg size 900,560 dynamic font "sans,11" } else { set terminal pngcairo size 900,560 font "sans,10" }
    set output out . "/switch_ns." . ext
    set title "Cost of one switch between two peers (token ping-pong), switch workload\n{/*0.8 " . machine . "}"
    set datafile nocolumnheaders
    set datafile separator whitespace
    unset logscale x
    set logscale y 10
    unset xlabel
    set ylabel "ns per switch (log)"
    set xrange [-0.6:*]
    set yrange [10:*]
    set grid
    set style fill solid 0.6 border -1
    set boxwidth 0.35
    set key below horizontal
    plot switches using 1:(NaN):xtic(2) notitle, \
         switches using ($1 - 0.19):3 with boxes lc rgb "#4477aa" title "pinned to one CPU", \
         switches using ($1 + 0.19):4 with boxes lc rgb "#ee6677" title "unpinned (cross-core wake-ups)"
    unset output
}
}

if (cpurows > 0) {
do for [format in "pngcairo svg"] {
    ext = (format eq "svg") ? "svg" : "png"
    if (format eq "svg") { set terminal svg size 900,560 dynamic font "sans,11" } else { set terminal pngcairo size 900,560 font "sans,10" }
    set output out . "/cpu_speedup." . ext
    set title "CPU-bound tasks: speedup over one task on one thread (" . cores . " cores), cpu workload\n{/*0.8 " . machine . "}"
    set datafile nocolumnheaders
    set datafile separator whitespace
    unset logscale x
    unset logscale y
    unset xlabel
    set ylabel "speedup (×)"
    set xrange [-0.6:*]
    if (cores > 0) { set yrange [0:cores * 1.25] } else { set yrange [0:*] }
    set grid
    set style fill solid 0.6 border -1
    set boxwidth 0.6
    set key below horizontal
    plot speedups using 1:3:xtic(2) with boxes lc rgb "#228833" title "speedup at the largest N", \
         cores with lines dt 2 lc rgb "black" title "number of cores"
    unset output
}
}

oknet(b) = (strcol("backend") eq b && strcol("status") eq "ok" && strcol("workload") eq "net")
picknet(b, name) = oknet(b) ? column(name) : NaN

if (netrows > 0) {
do for [format in "pngcairo svg"] {
    ext = (format eq "svg") ? "svg" : "png"
    if (format eq "svg") { set terminal svg size 900,560 dynamic font "sans,11" } else { set terminal pngcairo size 900,560 font "sans,10" }
    set datafile separator ","
    set datafile columnheaders
    set key inside top left box opaque
    set grid
    set logscale x 10
    # The switch and cpu charts before set ranges of their own.
    unset xrange
    unset yrange
    set autoscale xy
    set offsets graph 0.05, graph 0.05, 0, 0
    set xlabel "concurrent connections N"
    set pointsize 1.2
    set format y "% h"
    set logscale y 10
    set output out . "/net_throughput." . ext
    set title "Requests per second vs connections, net workload\n{/*0.8 " . machine . "}"
    set ylabel "requests / s (log)"
    plot for [b in netbackends] data using (picknet(b, "tasks")):(picknet(b, "throughput_rps")) with linespoints title b
    set output out . "/net_p99." . ext
    set title "99th percentile round trip vs connections, net workload\n{/*0.8 " . machine . "}"
    set ylabel "p99 round trip (ms, log)"
    plot for [b in netbackends] data using (picknet(b, "tasks")):(picknet(b, "request_ms_p99")) with linespoints title b
    unset output
    unset offsets
    unset logscale y
}
}

raterows = int(system(keep . " | awk -F, '!/^#/ && $3 == \"net-rate\" && /,ok,/' | wc -l"))
ratebackends = system(keep . " | awk -F, '!/^#/ && $3 == \"net-rate\" && /,ok,/ {print $2}' | awk '!seen[$0]++' | tr '\\n' ' '")
ratetasks = int(system(keep . " | awk -F, '!/^#/ && $3 == \"net-rate\" && /,ok,/ && $4 + 0 > m {m = $4 + 0} END {print m + 0}'"))
pickrate(b, name) = (strcol("backend") eq b && strcol("status") eq "ok" && strcol("workload") eq "net-rate" && column("tasks") == ratetasks) ? column(name) : NaN

if (raterows > 0) {
do for [format in "pngcairo svg"] {
    ext = (format eq "svg") ? "svg" : "png"
    if (format eq "svg") { set terminal svg size 900,560 dynamic font "sans,11" } else { set terminal pngcairo size 900,560 font "sans,10" }
    set datafile separator ","
    set datafile columnheaders
    set key inside top left box opaque
    set grid
    unset xrange
    unset yrange
    set autoscale xy
    set logscale x 10
    set logscale y 10
    set offsets graph 0.05, graph 0.05, 0, 0
    set format y "% h"
    set pointsize 1.2
    set xlabel "offered requests / s (log)"
    set ylabel "round trip from the intended send (ms, log)"
    set output out . "/net_rate_latency." . ext
    set title "Open loop: p99 (solid) and p50 (dashed) round trip vs offered rate, " . ratetasks . " connections\n{/*0.8 " . machine . "}"
    plot for [i = 1:words(ratebackends)] data using (pickrate(word(ratebackends, i), "offered_rps")):(pickrate(word(ratebackends, i), "request_ms_p99")) with linespoints lc i dt 1 title word(ratebackends, i) . " p99", \
         for [i = 1:words(ratebackends)] data using (pickrate(word(ratebackends, i), "offered_rps")):(pickrate(word(ratebackends, i), "request_ms_p50")) with linespoints lc i dt 2 title word(ratebackends, i) . " p50"
    unset output
    unset offsets
    unset logscale y
    unset logscale x
}
}

if (filerows > 0) {
do for [format in "pngcairo svg"] {
    ext = (format eq "svg") ? "svg" : "png"
    if (format eq "svg") { set terminal svg size 900,560 dynamic font "sans,11" } else { set terminal pngcairo size 900,560 font "sans,10" }
    set output out . "/files_per_s." . ext
    set title "Files written, read back and verified per second, N = " . filemost . " (file, file-offload)\n{/*0.8 " . machine . "}"
    set datafile nocolumnheaders
    set datafile separator whitespace
    unset logscale x
    unset logscale y
    unset xlabel
    set ylabel "files / s"
    set xrange [-0.6:*]
    set yrange [0:*]
    set grid
    set style fill solid 0.6 border -1
    set boxwidth 0.38
    set key below horizontal
    plot files using ($1 - 0.19):3:xtic(2) with boxes lc rgb "#4477aa" title "blocking calls in place", \
         files using ($1 + 0.19):4 with boxes lc rgb "#ee6677" title "offloaded to a thread pool (aiofiles)"
    unset output
    unset xrange
    unset yrange
}
}

# A capacity run (asyncbench capacity) has capacity.csv beside its results: one bar per backend.
capfile = system("dirname '" . csv . "'") . "/capacity.csv"
caprows = int(system("test -s '" . capfile . "' && awk -F, '!/^#/ && NR > 1 && $5 != \"\" && $5 != \"highest_tasks\"' '" . capfile . "' | wc -l || echo 0"))
if (caprows > 0) {
capacity = "< awk -F, '!/^#/ && $2 != \"backend\" {printf \"%d %s %s %s\\n\", n++, $2, ($5 == \"\" ? \"NaN\" : $5), $8}' '" . capfile . "'"
do for [format in "pngcairo svg"] {
    ext = (format eq "svg") ? "svg" : "png"
    if (format eq "svg") { set terminal svg size 900,560 dynamic font "sans,11" } else { set terminal pngcairo size 900,560 font "sans,10" }
    set output out . "/capacity." . ext
    set title "Capacity: highest number of tasks held at once per backend (asyncbench capacity)\n{/*0.8 " . machine . "}"
    set datafile nocolumnheaders
    set datafile separator whitespace
    unset logscale x
    unset xrange
    set autoscale x
    set offsets 0.5, 0.5, 0, 0
    set logscale y 10
    set yrange [1:*]
    set format y "%.0s%c"
    set ylabel "tasks at once (log)"
    set xlabel "backend"
    set style fill solid 0.7 border -1
    set boxwidth 0.6
    set key off
    set grid ytics
    plot capacity using 1:3:xtic(2) with boxes lc rgb "#4477aa", \
         capacity using 1:($3 * 1.6):(sprintf("%d (%s)", $3, strcol(4))) with labels font ",9"
}
}
