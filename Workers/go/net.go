package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"sync/atomic"
	"syscall"
	"time"
)

// network: each task opens one TCP connection to the latency server the sweep started for the
// cell and sends its requests one after another, checking every response's id. The wire
// protocol, big-endian: id (u64), payload length (u32), payload. Every request is counted
// (sent, answered, failed, and why) over every repetition, warm-up included, as the server
// counts its replies, so the sweep reconciles them.
type network struct {
	address  string
	requests int
	payload  []byte
	timeout  time.Duration
	// Per task: sent, answered, failed, timed out, reset (atomics: read after every join).
	counts     [][5]int64
	connects   []int64
	latency    []int64
	roundTrips []int64
}

const (
	sent = iota
	answered
	failed
	timedOut
	reset
)

func newNet(spec *Spec) (*network, error) {
	var parameters struct {
		Requests                  int    `json:"requests"`
		Payload                   int    `json:"payload"`
		RequestTimeoutNanoseconds int64  `json:"requestTimeoutNanoseconds"`
		ServerHost                string `json:"serverHost"`
		ServerPort                int    `json:"serverPort"`
	}
	if err := json.Unmarshal(spec.Parameters, &parameters); err != nil {
		return nil, fmt.Errorf("the net parameters do not decode: %v", err)
	}
	payload := make([]byte, parameters.Payload)
	for index := range payload {
		payload[index] = 'a'
	}
	return &network{
		address:  net.JoinHostPort(parameters.ServerHost, fmt.Sprint(parameters.ServerPort)),
		requests: parameters.Requests, payload: payload,
		timeout: time.Duration(parameters.RequestTimeoutNanoseconds),
		counts:  make([][5]int64, spec.Tasks), connects: make([]int64, spec.Tasks),
		latency: make([]int64, spec.Tasks*parameters.Requests),
	}, nil
}

func (n *network) BeforeRepetition() {
	for index := range n.latency {
		n.latency[index] = -1
	}
}

func (n *network) AfterRepetition(measured bool) {
	if !measured {
		return
	}
	for _, value := range n.latency {
		if value >= 0 {
			n.roundTrips = append(n.roundTrips, value)
		}
	}
}

func (n *network) count(index, slot int) { atomic.AddInt64(&n.counts[index][slot], 1) }

func (n *network) Run(index int) error {
	started := time.Now()
	connection, err := net.DialTimeout("tcp", n.address, 10*time.Second)
	if err != nil {
		text := fmt.Sprintf("connect to %s: %v", n.address, err)
		if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
			return &Limit{text}
		}
		return errors.New(text)
	}
	defer connection.Close()
	n.connects[index] = time.Since(started).Nanoseconds()
	request := make([]byte, 12+len(n.payload))
	copy(request[12:], n.payload)
	header := make([]byte, 12)
	body := make([]byte, len(n.payload))
	for k := 0; k < n.requests; k++ {
		ident := uint64(index)<<24 | uint64(k)
		binary.BigEndian.PutUint64(request[0:8], ident)
		binary.BigEndian.PutUint32(request[8:12], uint32(len(n.payload)))
		sentAt := time.Now()
		n.count(index, sent)
		connection.SetDeadline(sentAt.Add(n.timeout))
		_, err := connection.Write(request)
		if err == nil {
			_, err = io.ReadFull(connection, header)
		}
		if err == nil && int(binary.BigEndian.Uint32(header[8:12])) == len(body) {
			_, err = io.ReadFull(connection, body)
		}
		if err != nil {
			n.count(index, failed)
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				n.count(index, timedOut)
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
				errors.Is(err, syscall.EPIPE):
				n.count(index, reset)
			}
			return nil
		}
		if binary.BigEndian.Uint64(header[0:8]) != ident || int(binary.BigEndian.Uint32(header[8:12])) != len(body) {
			n.count(index, failed)
			return nil
		}
		n.count(index, answered)
		n.latency[index*n.requests+k] = time.Since(sentAt).Nanoseconds()
	}
	return nil
}

func (n *network) Figures() map[string]interface{} {
	var totals [5]int64
	connects := []int64{}
	for index := range n.counts {
		for slot := range totals {
			totals[slot] += n.counts[index][slot]
		}
		if n.connects[index] > 0 {
			connects = append(connects, n.connects[index])
		}
	}
	figures := map[string]interface{}{
		"requests_sent": totals[sent], "requests_answered": totals[answered], "requests_failed": totals[failed],
		"requests_timed_out": totals[timedOut], "requests_reset": totals[reset],
	}
	if len(connects) > 0 {
		sort.Slice(connects, func(a, b int) bool { return connects[a] < connects[b] })
		figures["connect_us"] = float64(connects[len(connects)/2]) / 1e3
	}
	if len(n.roundTrips) > 0 {
		found := percentiles(n.roundTrips)
		for _, name := range []string{"p50", "p90", "p99", "max"} {
			figures["request_ms_"+name] = float64(found[name]) / 1e6
		}
	}
	return figures
}

func (n *network) Close() {}
