package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// file: each task writes its file, reads it back, verifies it byte for byte and removes it,
// with plain blocking calls (os.WriteFile, os.ReadFile: each one a system call on the
// goroutine's thread, handed off by the scheduler as any blocking call); file-sync ends each
// write with fsync.
type file struct {
	size      int
	sync      bool
	directory string
	owns      bool
	times     []int64
	fileTimes []int64
}

var limitErrnos = []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG, syscall.EMFILE, syscall.ENFILE}

func newFile(spec *Spec) (*file, error) {
	var parameters struct {
		FileBytes     int    `json:"fileBytes"`
		FileSync      bool   `json:"fileSync"`
		FileParent    string `json:"fileParent"`
		FileDirectory string `json:"fileDirectory"`
	}
	if err := json.Unmarshal(spec.Parameters, &parameters); err != nil {
		return nil, fmt.Errorf("the file parameters do not decode: %v", err)
	}
	f := &file{size: parameters.FileBytes, sync: parameters.FileSync, directory: parameters.FileDirectory,
		times: make([]int64, spec.Tasks)}
	if f.directory == "" { // no sweep made one: a private folder of our own, removed at the end
		made, err := os.MkdirTemp(parameters.FileParent, fmt.Sprintf("asyncbench-files-%d-", os.Getpid()))
		if err != nil {
			return nil, err
		}
		f.directory, f.owns = made, true
	}
	var free syscall.Statfs_t
	if err := syscall.Statfs(f.directory, &free); err != nil {
		f.Close()
		return nil, fmt.Errorf("statfs %s: %v", f.directory, err)
	}
	available := int64(free.Bavail) * free.Frsize
	if int64(spec.Tasks)*int64(f.size) > available*8/10 {
		f.Close()
		return nil, &Limit{fmt.Sprintf("%d files of %d bytes need over 80%% of the %d bytes free in %s; choose a smaller --file-size or another --file-dir",
			spec.Tasks, f.size, available, f.directory)}
	}
	return f, nil
}

// fileSeed is SplitMix64 of the task index: the seed of its file's bytes (as file.c).
func fileSeed(index int) uint64 {
	z := uint64(index) + 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// filePattern is the size bytes task files hold: byte i = seed's byte (i mod 8) ^ (i >> 3).
func filePattern(seed uint64, size int) []byte {
	var le [8]byte
	binary.LittleEndian.PutUint64(le[:], seed)
	data := make([]byte, size)
	for i := range data {
		data[i] = le[i%8] ^ byte(i>>3)
	}
	return data
}

func (f *file) BeforeRepetition() {
	for index := range f.times {
		f.times[index] = -1
	}
}

func (f *file) AfterRepetition(measured bool) {
	if !measured {
		return
	}
	for _, value := range f.times {
		if value >= 0 {
			f.fileTimes = append(f.fileTimes, value)
		}
	}
}

func (f *file) failure(path string, err error) error {
	for _, limit := range limitErrnos {
		if errors.Is(err, limit) {
			return &Limit{fmt.Sprintf("write/read %s: %v", path, err)}
		}
	}
	return fmt.Errorf("write/read %s: %v", path, err)
}

func (f *file) Run(index int) error {
	path := fmt.Sprintf("%s/f%d", f.directory, index)
	defer os.Remove(path)
	start := time.Now()
	data := filePattern(fileSeed(index), f.size)
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return f.failure(path, err)
	}
	_, err = out.Write(data)
	if err == nil && f.sync {
		err = out.Sync()
	}
	if closeErr := out.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return f.failure(path, err)
	}
	back, err := os.ReadFile(path)
	if err != nil {
		return f.failure(path, err)
	}
	elapsed := time.Since(start).Nanoseconds()
	if !bytes.Equal(back, data) {
		return fmt.Errorf("%s: the bytes read back differ from those written", path)
	}
	f.times[index] = elapsed
	return nil
}

func (f *file) Figures() map[string]interface{} {
	if len(f.fileTimes) == 0 {
		return map[string]interface{}{}
	}
	found := percentiles(f.fileTimes)
	return map[string]interface{}{
		"file_ms_p50": float64(found["p50"]) / 1e6,
		"file_ms_p99": float64(found["p99"]) / 1e6,
		"file_ms_max": float64(found["max"]) / 1e6,
	}
}

func (f *file) Close() {
	if f.owns {
		os.RemoveAll(f.directory)
		f.owns = false
	}
}
