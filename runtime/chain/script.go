package chain

import (
	"bytes"
	"sync"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/images"
	"kubesim/runtime/shell"
)

// Scripted main processes. A container whose process the catalog marks
// Scripted (a shell script, sleep 3600, echo hi) runs in runtime/shell over
// the container's filesystem from StartContainer on. The runtime does not
// own a clock: the kubelet drives the process (Advance) at the times it
// asks for, and when the filesystem it parked on changes. What it writes
// goes to the container's log, a line at a time, stamped with the virtual
// time of the write; when it exits, the container exits with its status.

// startScript starts ct's scripted main process. Callers hold c.mu.
func (c *Chain) startScript(ct *container) {
	if ct.proc == nil || !ct.proc.Scripted {
		return
	}
	cfg, err := c.shellConfig(ct.id)
	if err != nil {
		return
	}
	cfg.PID = 1
	cfg.Procs = nil
	cfg.MemoryLimit = ct.cfg.GetLinux().GetResources().GetMemoryLimitInBytes()
	cfg.MemoryBase = ct.img.MemoryBase()
	lw := &logWriter{proc: ct.proc, start: ct.startedAt}
	cfg.Stdout, cfg.Stderr = lw.stream(images.Stdout), lw.stream(images.Stderr)
	ct.sh = shell.Start(cfg, ct.proc.Script)
	lw.sh = ct.sh
	ct.logs = lw
}

// Scripted reports whether a container's main process runs in runtime/shell
// (the kubelet then drives it with Advance).
func (c *Chain) Scripted(containerID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ct := c.containers[containerID]
	return ct != nil && ct.sh != nil
}

// Advance runs a container's scripted main process up to now and says what
// it waits for (shell.Status): a time, a change of its filesystem (Parked),
// or nothing because it exited — the container is then exited with its
// status, at the time it exited. ok is false when the container has no
// scripted process running. It runs without the chain's lock, so the
// script may reach other pods of this node.
func (c *Chain) Advance(containerID string, now time.Time) (st shell.Status, ok bool) {
	c.mu.Lock()
	ct := c.containers[containerID]
	if ct == nil || ct.sh == nil || ct.state != runtimeapi.ContainerState_CONTAINER_RUNNING || ct.proc.Exit != nil {
		c.mu.Unlock()
		return shell.Status{}, false
	}
	sh := ct.sh
	c.mu.Unlock()
	st = sh.Advance(now)
	if st.Exited {
		c.mu.Lock()
		ct.logs.flush()
		ct.oom = st.OOMKilled
		if ct.proc.Exit == nil {
			ct.proc.Exit = &images.Exit{After: sh.Now().Sub(ct.startedAt), Code: st.Code}
		}
		c.mu.Unlock()
	}
	return st, true
}

// Changed tells how many changes a container's filesystem has seen (its own
// layer and its volumes, whoever wrote them) and when the last one was; a
// driver of a parked process or of a probe compares it with what it saw.
func (c *Chain) Changed(containerID string) (gen uint64, at time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.fileState().containers[containerID]
	if f == nil {
		return 0, time.Time{}, false
	}
	return f.Generation(), f.ChangedAt(), true
}

// killScript ends a container's scripted process (stop, removal). Callers
// hold c.mu.
func (c *Chain) killScript(ct *container) {
	if ct.sh == nil {
		return
	}
	sh := ct.sh
	ct.sh = nil
	sh.Kill()
	ct.logs.flush()
}

// logWriter turns a process's writes into log lines of its container: a
// line is stamped with the process's virtual time when its newline is
// written; what is left without one is written at exit.
type logWriter struct {
	mu      sync.Mutex
	proc    *images.Process
	sh      *shell.Process
	start   time.Time
	partial map[images.Stream][]byte
}

func (w *logWriter) stream(s images.Stream) *streamWriter { return &streamWriter{w: w, s: s} }

func (w *logWriter) write(s images.Stream, b []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.partial == nil {
		w.partial = map[images.Stream][]byte{}
	}
	buf := append(w.partial[s], b...)
	off := w.sh.Now().Sub(w.start)
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			break
		}
		w.proc.Logs = append(w.proc.Logs, images.LogLine{Offset: off, Stream: s, Text: string(buf[:i])})
		buf = buf[i+1:]
	}
	w.partial[s] = buf
}

func (w *logWriter) flush() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range []images.Stream{images.Stdout, images.Stderr} {
		if b := w.partial[s]; len(b) > 0 {
			w.proc.Logs = append(w.proc.Logs, images.LogLine{Offset: w.sh.Now().Sub(w.start), Stream: s, Text: string(b)})
			w.partial[s] = nil
		}
	}
}

type streamWriter struct {
	w *logWriter
	s images.Stream
}

func (s *streamWriter) Write(b []byte) (int, error) {
	s.w.write(s.s, b)
	return len(b), nil
}
