// Command worker is asyncbench's Go worker: it runs a cell's workload with one goroutine per
// task, started in a loop and joined with a sync.WaitGroup.
//
// Usage: worker            (speaks the worker protocol on stdin and stdout)
//
//	worker --describe (one line: the Go version, GOOS/GOARCH, GOMAXPROCS)
//
// The protocol (docs/worker-protocol.md): the cell spec as one JSON line on stdin, then
// {"event":"ready"}, then "go" back, then the warm-up and measured repetitions, each timed with
// time.Now (monotonic) around starting every goroutine and joining them, then the report as one
// JSON line, then wait for stdin to close. Standard library only.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Spec is the part of the cell spec the worker reads; it ignores the other fields.
type Spec struct {
	Workload             string          `json:"workload"`
	Tasks                int             `json:"tasks"`
	Reps                 int             `json:"reps"`
	Warmup               int             `json:"warmup"`
	MinReps              int             `json:"minReps"`
	RepBudgetNanoseconds int64           `json:"repBudgetNanoseconds"`
	LatencyNanoseconds   int64           `json:"latencyNanoseconds"`
	Parameters           json.RawMessage `json:"parameters"`
}

// Workload is one cell's workload: set up once, then one task per index each repetition.
type Workload interface {
	// BeforeRepetition resets what the tasks record.
	BeforeRepetition()
	// Run is task index; an error fails the cell (a *Limit makes it a limit row).
	Run(index int) error
	// AfterRepetition keeps what a measured repetition's tasks recorded.
	AfterRepetition(measured bool)
	// Figures are the workload's own columns, by name.
	Figures() map[string]interface{}
	// Close releases what the set-up made.
	Close()
}

// Limit is a resource the system refused (descriptors, disk): a limit row, not an error.
type Limit struct{ Message string }

func (l *Limit) Error() string { return l.Message }

// Sample is one measured repetition, as the protocol names its fields.
type Sample struct {
	WallNanoseconds     int64   `json:"wallNanoseconds"`
	UserSeconds         float64 `json:"userSeconds"`
	SystemSeconds       float64 `json:"systemSeconds"`
	VoluntarySwitches   int64   `json:"voluntarySwitches"`
	InvoluntarySwitches int64   `json:"involuntarySwitches"`
	PeakInFlight        int64   `json:"peakInFlight"`
	CreationNanoseconds int64   `json:"creationNanoseconds"`
}

// Report is the worker's answer.
type Report struct {
	Event        string                 `json:"event"`
	Status       string                 `json:"status"`
	Message      string                 `json:"message"`
	TasksReached *int                   `json:"tasksReached,omitempty"`
	Samples      []Sample               `json:"samples"`
	Figures      map[string]interface{} `json:"figures"`
}

func describe() string {
	return fmt.Sprintf("%s %s/%s, GOMAXPROCS %d (NumCPU %d), GOGC %s", runtime.Version(), runtime.GOOS,
		runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), orDefault(os.Getenv("GOGC")))
}

func orDefault(value string) string {
	if value == "" {
		return "default"
	}
	return value
}

func makeWorkload(spec *Spec) (Workload, error) {
	switch spec.Workload {
	case "sleep":
		return newSleep(spec), nil
	case "switch":
		return newSwitch(spec)
	case "cpu":
		return newCPU(spec)
	case "blocking":
		return newBlocking(spec)
	case "net":
		return newNet(spec)
	case "file", "file-sync":
		return newFile(spec)
	}
	return nil, fmt.Errorf("the Go worker does not implement the %s workload", spec.Workload)
}

// outcome is one repetition: its times, the peak in flight and the tasks' first failure.
type outcome struct {
	wall, creation, peak int64
	failed               int64
	first                error
}

// repetition starts one goroutine per task, then waits for all of them.
func repetition(workload Workload, tasks int) outcome {
	var group sync.WaitGroup
	var inFlight, peak, failed int64
	var once sync.Once
	var first error
	group.Add(tasks)
	start := time.Now()
	for index := 0; index < tasks; index++ {
		go func(index int) {
			defer group.Done()
			now := atomic.AddInt64(&inFlight, 1)
			for {
				old := atomic.LoadInt64(&peak)
				if now <= old || atomic.CompareAndSwapInt64(&peak, old, now) {
					break
				}
			}
			if err := workload.Run(index); err != nil {
				atomic.AddInt64(&failed, 1)
				once.Do(func() { first = err })
			}
			atomic.AddInt64(&inFlight, -1)
		}(index)
	}
	creation := time.Since(start).Nanoseconds()
	group.Wait()
	return outcome{wall: time.Since(start).Nanoseconds(), creation: creation, peak: peak, failed: failed, first: first}
}

func usage() syscall.Rusage {
	var own syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &own)
	return own
}

func seconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func measure(spec *Spec, workload Workload) Report {
	samples := []Sample{}
	var measuredWall int64
	for index := 0; index < spec.Warmup+spec.Reps; index++ {
		measured := index >= spec.Warmup
		workload.BeforeRepetition()
		before := usage()
		result := repetition(workload, spec.Tasks)
		after := usage()
		if result.first != nil {
			if limit, ok := result.first.(*Limit); ok {
				reached := spec.Tasks - int(result.failed)
				return Report{Status: "limit", Message: limit.Message, TasksReached: &reached, Samples: samples}
			}
			message := fmt.Sprintf("%d tasks failed; first: %v", result.failed, result.first)
			return Report{Status: "error", Message: message, Samples: samples}
		}
		workload.AfterRepetition(measured)
		if !measured {
			continue
		}
		samples = append(samples, Sample{
			WallNanoseconds:     result.wall,
			UserSeconds:         seconds(after.Utime) - seconds(before.Utime),
			SystemSeconds:       seconds(after.Stime) - seconds(before.Stime),
			VoluntarySwitches:   after.Nvcsw - before.Nvcsw,
			InvoluntarySwitches: after.Nivcsw - before.Nivcsw,
			PeakInFlight:        result.peak,
			CreationNanoseconds: result.creation,
		})
		measuredWall += result.wall
		minReps := spec.MinReps
		if minReps <= 0 {
			minReps = spec.Reps
		}
		if spec.RepBudgetNanoseconds > 0 && len(samples) >= minReps && measuredWall >= spec.RepBudgetNanoseconds {
			break
		}
	}
	return Report{Status: "ok", Samples: samples, Figures: workload.Figures()}
}

// percentiles gives the nearest-rank p50, p90, p99 and max of values (sorted here), as
// asyncbench computes them.
func percentiles(values []int64) map[string]int64 {
	sort.Slice(values, func(a, b int) bool { return values[a] < values[b] })
	rank := func(percent int) int64 {
		index := (len(values)*percent+99)/100 - 1
		if index < 0 {
			index = 0
		}
		return values[index]
	}
	return map[string]int64{"p50": rank(50), "p90": rank(90), "p99": rank(99), "max": values[len(values)-1]}
}

func emit(value interface{}) {
	line, err := json.Marshal(value)
	if err != nil {
		fmt.Fprintf(os.Stderr, "worker: cannot encode %T: %v\n", value, err)
		os.Exit(1)
	}
	os.Stdout.Write(append(line, '\n'))
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--describe" {
		fmt.Println(describe())
		return
	}
	if len(os.Args) != 1 {
		fmt.Fprintf(os.Stderr, "usage: %s [--describe]\n", os.Args[0])
		os.Exit(2)
	}
	input := bufio.NewReaderSize(os.Stdin, 1<<16)
	line, err := input.ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintf(os.Stderr, "worker: no cell spec on stdin: %v\n", err)
		os.Exit(1)
	}
	var spec Spec
	var report *Report
	var workload Workload
	if err := json.Unmarshal([]byte(line), &spec); err != nil {
		report = &Report{Status: "error", Message: "set-up: the cell spec does not decode: " + err.Error()}
	} else if workload, err = makeWorkload(&spec); err != nil {
		if limit, ok := err.(*Limit); ok {
			report = &Report{Status: "limit", Message: limit.Message}
		} else {
			report = &Report{Status: "error", Message: "set-up: " + err.Error()}
		}
	}
	// Set-up failures are reported after "go": a report before "ready" breaks the protocol.
	emit(map[string]string{"event": "ready"})
	if answer, _ := input.ReadString('\n'); strings.TrimSpace(answer) != "go" {
		os.Exit(1)
	}
	if report == nil {
		measured := measure(&spec, workload)
		report = &measured
		workload.Close()
	}
	report.Event = "report"
	if report.Samples == nil {
		report.Samples = []Sample{}
	}
	if report.Figures == nil {
		report.Figures = map[string]interface{}{}
	}
	emit(report)
	_, _ = io.Copy(io.Discard, input) // the cell reads our peak memory, then closes our stdin
}
