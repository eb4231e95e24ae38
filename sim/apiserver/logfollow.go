package apiserver

import (
	"bytes"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// logPoll is how often (virtual time, which in a live cluster is wall
// time) a followed log looks for new lines.
const logPoll = 250 * time.Millisecond

// followLog streams a container's log after what was already written
// (sent lines of the full log): lines appear as the modelled process writes
// them, until the container stops running or the client goes, as the
// kubelet's follow of the log file does. Only a live cluster follows; a
// stepped one never waits, so kubectl logs -f there prints what there is.
func (s *Server) followLog(w http.ResponseWriter, req *http.Request, r *request, opts LogOptions, sent int) {
	flusher, _ := w.(http.Flusher)
	full := opts
	full.TailLines = nil
	for {
		if flusher != nil {
			flusher.Flush()
		}
		deadline := s.cfg.Clock.Now().Add(logPoll)
		s.cfg.Driver.Wait(req.Context(), nil, deadline)
		if req.Context().Err() != nil {
			return
		}
		var (
			out     []byte
			running bool
			err     error
		)
		s.cfg.Driver.Do(func() {
			out, running, err = s.logState(r, full)
		})
		if err != nil {
			return
		}
		lines := bytes.SplitAfter(out, []byte("\n"))
		if n := len(lines); n > 0 && len(lines[n-1]) == 0 {
			lines = lines[:n-1]
		}
		if len(lines) < sent {
			return // a new instance of the container: its log is another file
		}
		for _, l := range lines[sent:] {
			if _, err := w.Write(l); err != nil {
				return
			}
		}
		sent = len(lines)
		if !running {
			if flusher != nil {
				flusher.Flush()
			}
			return
		}
	}
}

// logState is a container's full log and whether it runs. Call inside Do.
func (s *Server) logState(r *request, opts LogOptions) ([]byte, bool, error) {
	obj, err := s.cfg.Registry.Get(r.res, r.namespace, r.name)
	if err != nil {
		return nil, false, err
	}
	pod := obj.(*corev1.Pod)
	name := opts.Container
	if name == "" && len(pod.Spec.Containers) > 0 {
		name = pod.Spec.Containers[0].Name
	}
	running := false
	for _, st := range append(append([]corev1.ContainerStatus(nil), pod.Status.ContainerStatuses...), pod.Status.EphemeralContainerStatuses...) {
		if st.Name == name && st.State.Running != nil {
			running = true
		}
	}
	out, err := s.cfg.Hooks.Logs(r.namespace, r.name, opts)
	return out, running, err
}

// lineCount is the number of lines in a log.
func lineCount(b []byte) int { return bytes.Count(b, []byte("\n")) }
