package kubelet

import (
	"fmt"
	"io"
	"path"
	"sync"

	"kubesim/runtime/chain"
	"kubesim/runtime/shell"
)

// attachState is a container's main process as kubectl attach reaches it:
// a shell started with stdin open (kubectl run -it … -- sh) runs as an
// interactive runtime/shell process from the first attach on, reading the
// container's stdin and writing its terminal; attaches come and go.
type attachState struct {
	proc *shell.Process
	in   *shell.Input
	out  *switchWriter
}

// switchWriter sends the process's output to the attached client, or
// nowhere while none is attached.
type switchWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *switchWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w != nil {
		s.w.Write(b)
	}
	return len(b), nil
}

func (s *switchWriter) set(w io.Writer) {
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
}

// Attached is one attach to a container's main process.
type Attached struct {
	Proc *shell.Process
	// Stdin is the container's stdin (nil when the spec has none).
	Stdin *shell.Input
	// StdinOnce: the client's end of input closes the container's stdin.
	StdinOnce bool
	// Detach disconnects the client's output.
	Detach func()
	// Exited tells the kubelet the main process ended with code (call it
	// inside the cluster's loop).
	Exited func(code int)
}

// Attach connects out to a running container's main process. Only a shell
// with stdin open is modelled (the process the learner reaches with
// kubectl run -it and kubectl attach -it); its first prompt went to the
// terminal before anyone attached, as kubectl's "If you don't see a command
// prompt" line expects. Call it with the cluster lock held.
func (k *Kubelet) Attach(ns, name, container string, out io.Writer) (*Attached, error) {
	c, err := k.runningContainer(ns, name, container)
	if err != nil {
		return nil, err
	}
	argv := c.proc.Argv
	if !c.spec.Stdin || len(argv) == 0 || !isShell(argv[0]) {
		return nil, fmt.Errorf("attach to container %q in pod %q: only a shell with stdin open is modelled", container, name)
	}
	if k.attached == nil {
		k.attached = map[string]*attachState{}
	}
	st := k.attached[c.id]
	if st == nil {
		st = &attachState{in: shell.NewInput(c.spec.TTY), out: &switchWriter{}}
		p, err := k.cfg.Runtime.StartExec(c.id, argv, chain.ExecOptions{Stdin: st.in, Stdout: st.out, Stderr: st.out, TTY: c.spec.TTY})
		if err != nil {
			return nil, err
		}
		st.proc = p
		now := k.cfg.Clock.Now()
		p.Resume(now, now) // the prompt nobody saw
		k.attached[c.id] = st
	}
	st.out.set(out)
	id := c.id
	return &Attached{
		Proc: st.proc, Stdin: st.in, StdinOnce: c.spec.StdinOnce,
		Detach: func() { st.out.set(nil) },
		Exited: func(code int) {
			delete(k.attached, id)
			for _, ps := range k.pods {
				for _, x := range ps.all() {
					if x == c && x.running != nil && x.id == id {
						k.cfg.Runtime.MainExited(id, code)
						k.exited(ps, x, code, "")
						return
					}
				}
			}
		},
	}, nil
}

func isShell(argv0 string) bool {
	switch path.Base(argv0) {
	case "sh", "ash", "bash", "dash":
		return true
	}
	return false
}
