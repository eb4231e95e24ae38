package shell

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Memory. A process counts what its programs allocate (stress --vm); with
// Config.MemoryLimit set, an allocation that takes the container past it
// is the kernel's OOM kill of the container (cgroup v2 memory.oom.group):
// the process ends with 137 and Status.OOMKilled.

// alloc adds n bytes to the process's memory; false: the container was
// OOM-killed.
func (p *Process) alloc(n int64) bool {
	used := p.mem.Add(n)
	if lim := p.cfg.MemoryLimit; lim > 0 && p.cfg.MemoryBase+used > lim {
		p.oom.Store(true)
		p.killed.Store(true)
		return false
	}
	return true
}

// Memory is what the container's processes use now: the image's baseline
// and what its programs allocated.
func (p *Process) Memory() int64 { return p.cfg.MemoryBase + p.mem.Load() }

// CPUWorkers is how many CPUs the container's processes keep busy now:
// one for a script that runs commands without sleeping (while true; do :;
// done), one for each stress --cpu worker. The metrics pipeline counts a
// core for each, within the container's CPU limit.
func (p *Process) CPUWorkers() int64 {
	n := p.cpuWorkers.Load()
	if p.spinning.Load() {
		n++
	}
	return n
}

// stress is stress 1.0.4 (Amos Waterland's workload generator, the
// polinux/stress image): --vm N workers each allocating --vm-bytes (default
// 256M, suffixes b k m g in powers of 1024) and keeping it with --vm-hang;
// --cpu/--io/--hdd workers only take time here; --timeout N ends the run.
// Messages: stress.c's out/err formats [guess: info lines on stdout, FAIL
// lines on stderr].
func stress(c *call) int {
	var cpu, io, vm, hdd int
	vmBytes := int64(256 << 20)
	var timeout time.Duration
	args := c.args[1:]
	num := func(i int) (string, bool) {
		if i+1 >= len(args) {
			fmt.Fprintf(c.errw, "stress: FAIL: [%d] (%d) option requires an argument -- '%s'\n", c.p.cfg.PID, 0, strings.TrimLeft(args[i], "-"))
			return "", false
		}
		return args[i+1], true
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, inline := strings.Cut(a, "=")
		get := func() (string, bool) {
			if inline {
				return val, true
			}
			v, ok := num(i)
			i++
			return v, ok
		}
		switch name {
		case "-c", "--cpu", "-i", "--io", "-m", "--vm", "-d", "--hdd":
			v, ok := get()
			if !ok {
				return 1
			}
			n, _ := strconv.Atoi(v)
			switch name {
			case "-c", "--cpu":
				cpu = n
			case "-i", "--io":
				io = n
			case "-m", "--vm":
				vm = n
			default:
				hdd = n
			}
		case "--vm-bytes", "--vm-stride", "--vm-hang", "--hdd-bytes", "--backoff", "-t", "--timeout":
			v, ok := get()
			if !ok {
				return 1
			}
			switch name {
			case "--vm-bytes":
				vmBytes = stressBytes(v)
			case "-t", "--timeout":
				timeout = stressDuration(v)
			}
		case "-v", "--verbose", "-q", "--quiet", "-n", "--dry-run", "--vm-keep":
		case "-?", "--help", "--version", "-V":
			fmt.Fprintln(c.out, "stress 1.0.4")
			return 0
		}
	}
	pid := c.p.cfg.PID
	if cpu+io+vm+hdd == 0 {
		fmt.Fprintf(c.out, "`stress' imposes certain types of compute stress on your system\n\nUsage: stress [OPTION [ARG]] ...\n")
		return 0
	}
	fmt.Fprintf(c.out, "stress: info: [%d] dispatching hogs: %d cpu, %d io, %d vm, %d hdd\n", pid, cpu, io, vm, hdd)
	for w := 0; w < vm; w++ {
		if !c.p.alloc(vmBytes) {
			return 137
		}
	}
	c.p.cpuWorkers.Add(int64(cpu))
	defer c.p.cpuWorkers.Add(-int64(cpu))
	if timeout <= 0 {
		for {
			if err := c.p.sleep(foreverSleep, nil); err != nil {
				return 137
			}
		}
	}
	if err := c.p.sleep(timeout, nil); err != nil {
		return 137
	}
	c.p.mem.Add(-int64(vm) * vmBytes)
	fmt.Fprintf(c.out, "stress: info: [%d] successful run completed in %ds\n", pid, int(timeout/time.Second))
	return 0
}

// stressBytes parses a size with stress's suffixes (b, k, m, g: powers of
// 1024; upper or lower case).
func stressBytes(s string) int64 {
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'b', 'B':
			s = s[:n-1]
		case 'k', 'K':
			mult, s = 1<<10, s[:n-1]
		case 'm', 'M':
			mult, s = 1<<20, s[:n-1]
		case 'g', 'G':
			mult, s = 1<<30, s[:n-1]
		}
	}
	v, _ := strconv.ParseInt(s, 10, 64)
	return v * mult
}

// stressDuration parses --timeout (s, m, h, d, y suffixes; seconds).
func stressDuration(s string) time.Duration {
	mult := time.Second
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 's':
			s = s[:n-1]
		case 'm':
			mult, s = time.Minute, s[:n-1]
		case 'h':
			mult, s = time.Hour, s[:n-1]
		case 'd':
			mult, s = 24*time.Hour, s[:n-1]
		}
	}
	v, _ := strconv.Atoi(s)
	return time.Duration(v) * mult
}
