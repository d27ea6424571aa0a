package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"syscall"
	"time"
)

const unset = int64(-1 << 63)

// sleep: each task waits the cell's latency with time.Sleep (the goroutine parks on a runtime
// timer; no thread is held) and records how late it woke past its deadline.
type sleep struct {
	latency   time.Duration
	slots     []int64
	lateness  []int64
	repP99s   []int64
	repStart  time.Time
	blockedBy func(index int) bool
}

func newSleep(spec *Spec) *sleep {
	return &sleep{latency: time.Duration(spec.LatencyNanoseconds), slots: make([]int64, spec.Tasks)}
}

func (s *sleep) BeforeRepetition() {
	for index := range s.slots {
		s.slots[index] = unset
	}
	s.repStart = time.Now()
}

func (s *sleep) Run(index int) error {
	deadline := time.Now().Add(s.latency)
	time.Sleep(s.latency)
	s.slots[index] = time.Since(deadline).Nanoseconds()
	return nil
}

func (s *sleep) AfterRepetition(measured bool) {
	if !measured {
		return
	}
	recorded := []int64{}
	for _, value := range s.slots {
		if value != unset {
			recorded = append(recorded, value)
		}
	}
	if len(recorded) > 0 {
		s.lateness = append(s.lateness, recorded...)
		s.repP99s = append(s.repP99s, percentiles(recorded)["p99"])
	}
}

func (s *sleep) Figures() map[string]interface{} {
	if len(s.lateness) == 0 {
		return map[string]interface{}{}
	}
	found := percentiles(s.lateness)
	sort.Slice(s.repP99s, func(a, b int) bool { return s.repP99s[a] < s.repP99s[b] })
	return map[string]interface{}{
		"lateness_us_p50":         float64(found["p50"]) / 1e3,
		"lateness_us_p99":         float64(found["p99"]) / 1e3,
		"lateness_us_max":         float64(found["max"]) / 1e3,
		"lateness_us_p99_rep_min": float64(s.repP99s[0]) / 1e3,
		"lateness_us_p99_rep_max": float64(s.repP99s[len(s.repP99s)-1]) / 1e3,
	}
}

func (s *sleep) Close() {}

// blocking: every task waits until the repetition's start + latency; every 1/fraction-th first
// makes a blocking system call of blockNanoseconds (nanosleep(2), which holds its OS thread).
// Go has no offload to ask for: the scheduler notices the thread stuck in the call (sysmon,
// within ~20 µs) and hands its processor to another thread, so the other goroutines keep
// running. Lateness counts the tasks that did not block.
type blocking struct {
	sleep
	fraction float64
	block    int64
}

func newBlocking(spec *Spec) (*blocking, error) {
	var parameters struct {
		BlockingFraction float64 `json:"blockingFraction"`
		BlockNanoseconds int64   `json:"blockNanoseconds"`
	}
	if err := json.Unmarshal(spec.Parameters, &parameters); err != nil {
		return nil, fmt.Errorf("the blocking parameters do not decode: %v", err)
	}
	return &blocking{sleep: *newSleep(spec), fraction: parameters.BlockingFraction, block: parameters.BlockNanoseconds}, nil
}

// blocks says whether task index blocks (as CAsyncBench_task_blocks: evenly spread).
func (b *blocking) blocks(index int) bool {
	if b.fraction <= 0 {
		return false
	}
	return int64(float64(index+1)*b.fraction) > int64(float64(index)*b.fraction)
}

func (b *blocking) Run(index int) error {
	blocks := b.blocks(index)
	if blocks {
		pause := syscall.NsecToTimespec(b.block)
		for syscall.Nanosleep(&pause, &pause) == syscall.EINTR {
		}
	}
	deadline := b.repStart.Add(b.latency)
	time.Sleep(time.Until(deadline))
	if !blocks {
		b.slots[index] = time.Since(deadline).Nanoseconds()
	}
	return nil
}

// switcher: goroutines 2k and 2k+1 pass a token back and forth rounds times over a pair of
// unbuffered channels, one each way.
type switcher struct {
	rounds int
	pairs  [][2]chan struct{}
}

func newSwitch(spec *Spec) (*switcher, error) {
	var parameters struct {
		Rounds int `json:"rounds"`
	}
	if err := json.Unmarshal(spec.Parameters, &parameters); err != nil {
		return nil, fmt.Errorf("the switch parameters do not decode: %v", err)
	}
	s := &switcher{rounds: parameters.Rounds, pairs: make([][2]chan struct{}, spec.Tasks/2)}
	for index := range s.pairs {
		s.pairs[index] = [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	}
	return s, nil
}

func (s *switcher) BeforeRepetition()    {}
func (s *switcher) AfterRepetition(bool) {}
func (s *switcher) Close()               {}
func (s *switcher) Figures() map[string]interface{} {
	return map[string]interface{}{}
}

func (s *switcher) Run(index int) error {
	if index/2 >= len(s.pairs) {
		return nil // the odd one out of an odd task count has no peer
	}
	pair := s.pairs[index/2]
	for round := 0; round < s.rounds; round++ {
		if index%2 == 0 {
			pair[0] <- struct{}{}
			<-pair[1]
		} else {
			<-pair[0]
			pair[1] <- struct{}{}
		}
	}
	return nil
}

// cpu: each task computes work rounds of the 64-bit mix and checks the result against the
// value the Swift side computed (expected); single_task_ms is one task alone on this goroutine,
// the median of one run before each repetition and three at set-up (after one untimed run).
type cpu struct {
	work     int
	expected uint64
	times    []int64
}

// cpuWork is the Swift CPU workload's rounds (CAsyncBench_cpu_work): xorshift, then a multiply.
func cpuWork(iterations int, seed uint64) uint64 {
	x := seed | 1
	for i := 0; i < iterations; i++ {
		x ^= x >> 12
		x ^= x << 25
		x ^= x >> 27
		x *= 0x2545F4914F6CDD1D
	}
	return x
}

func newCPU(spec *Spec) (*cpu, error) {
	var parameters struct {
		Work     int     `json:"work"`
		Expected *uint64 `json:"expected"`
	}
	if err := json.Unmarshal(spec.Parameters, &parameters); err != nil {
		return nil, fmt.Errorf("the cpu parameters do not decode: %v", err)
	}
	c := &cpu{work: parameters.Work}
	for attempt := 0; attempt < 4; attempt++ {
		elapsed, result := c.timeOne()
		if attempt > 0 {
			c.times = append(c.times, elapsed)
		}
		if parameters.Expected == nil {
			parameters.Expected = &result // no value from the Swift side: the first run's
		}
		c.expected = *parameters.Expected
		if err := c.check(result); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *cpu) timeOne() (int64, uint64) {
	start := time.Now()
	result := cpuWork(c.work, 42)
	return time.Since(start).Nanoseconds(), result
}

func (c *cpu) check(result uint64) error {
	if result != c.expected {
		return fmt.Errorf("cpu work gave %d, not %d", result, c.expected)
	}
	return nil
}

func (c *cpu) BeforeRepetition() {
	elapsed, result := c.timeOne()
	if c.check(result) == nil {
		c.times = append(c.times, elapsed)
	}
}

func (c *cpu) Run(index int) error  { return c.check(cpuWork(c.work, 42)) }
func (c *cpu) AfterRepetition(bool) {}
func (c *cpu) Close()               {}

func (c *cpu) Figures() map[string]interface{} {
	times := append([]int64(nil), c.times...)
	sort.Slice(times, func(a, b int) bool { return times[a] < times[b] })
	median := float64(times[len(times)/2])
	if len(times)%2 == 0 {
		median = float64(times[len(times)/2-1]+times[len(times)/2]) / 2
	}
	return map[string]interface{}{"single_task_ms": median / 1e6}
}
