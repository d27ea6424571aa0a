# asyncbench charts from one run's CSV.
#
#   gnuplot -e "csv='Results/results.csv'; out='Results/charts'" plot.gnuplot
#
# Draws, as PNG and SVG into the folder `out` (which must exist):
#   overhead_per_task  wall-time overhead per task vs tasks, one line per backend, log-log (C2, C3)
#   efficiency         latency / wall vs tasks, with the sequential baseline (C3)
#   rss_per_task       RSS above the idle cell per task vs tasks (C2, C8)
# Only rows with status ok are drawn; `#` lines (run metadata) are skipped, the machine line
# becomes the subtitle. Charts for other workloads come with the issues that add them.

if (!exists("csv")) csv = "results.csv"
if (!exists("out")) out = "."

set datafile separator ","
set datafile commentschars "#"
set datafile columnheaders
machine = system("sed -n 's/^# machine: //p' '" . csv . "' | head -n 1")
backends = system("awk -F, '!/^#/ && NR > 1 && $2 != \"backend\" {print $2}' '" . csv . "' | awk '!seen[$0]++' | tr '\\n' ' '")

set key top left box opaque
set grid
set logscale x 10
set xlabel "concurrent tasks N"
set pointsize 1.2

ok(b) = (strcol("backend") eq b && strcol("status") eq "ok" && strcol("workload") eq "sleep")
pick(b, name) = ok(b) ? column(name) : NaN

do for [format in "pngcairo svg"] {
    ext = (format eq "svg") ? "svg" : "png"
    if (format eq "svg") { set terminal svg size 900,560 dynamic font "sans,11" } else { set terminal pngcairo size 900,560 font "sans,10" }

    set output out . "/overhead_per_task." . ext
    set title "Wall-time overhead per task: (wall − latency) / N, sleep workload\n{/*0.8 " . machine . "}"
    set logscale y 10
    set ylabel "overhead per task (µs, log)"
    plot for [b in backends] csv using (pick(b, "tasks")):(pick(b, "overhead_us_per_task")) with linespoints title b

    set output out . "/efficiency." . ext
    set title "Efficiency: latency / wall (1.0 = N waits cost one wait), sleep workload\n{/*0.8 " . machine . "}"
    unset logscale y
    set yrange [0:1.05]
    set ylabel "efficiency (latency / wall)"
    set key bottom left
    plot for [b in backends] csv using (pick(b, "tasks")):(pick(b, "efficiency")) with linespoints title b
    set autoscale y
    set key top left

    set output out . "/rss_per_task." . ext
    set title "Memory per task: (peak RSS − idle RSS) / N, sleep workload (fork: parent only)\n{/*0.8 " . machine . "}"
    set logscale y 2
    set format y "%.0b %BB"
    set key top right
    set ylabel "RSS per task (log)"
    plot for [b in backends] csv using (pick(b, "tasks")):(pick(b, "rss_bytes_per_task") > 0 ? pick(b, "rss_bytes_per_task") : NaN) with linespoints title b
    unset logscale y
    set format y "% h"
    set key top left
    unset output
}
