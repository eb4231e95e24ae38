package apiserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/streaming/pkg/httpstream"
	"k8s.io/streaming/pkg/httpstream/spdy"
	"k8s.io/streaming/pkg/httpstream/wsstream"

	"kubesim/runtime/shell"
)

// Channel protocols kubectl offers for exec (v5 adds the close signal).
var execProtocols = map[string]wsstream.ChannelProtocolConfig{
	"v5.channel.k8s.io": {Binary: true, Channels: []wsstream.ChannelType{wsstream.ReadChannel, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.ReadChannel}},
	"v4.channel.k8s.io": {Binary: true, Channels: []wsstream.ChannelType{wsstream.ReadChannel, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.ReadChannel}},
}

// serveExec runs a command in a container over the channel protocols
// (pods/exec). With the ExecStream hook the command is a process the client
// streams to (stdin, a terminal, output as it is written); otherwise it
// runs to completion and its output goes down at the end.
func (s *Server) serveExec(w http.ResponseWriter, req *http.Request, r *request) {
	q := req.URL.Query()
	cmd := q["command"]
	o := streamOptions(req)
	var (
		stdout, stderr string
		code           int
		err            error
		sess           *session
	)
	s.cfg.Driver.Do(func() {
		var container string
		container, err = s.runningContainer(r, q.Get("container"))
		if err != nil {
			return
		}
		if s.cfg.Hooks.ExecStream != nil && (wsstream.IsWebSocketRequest(req) || httpstream.IsUpgradeRequest(req)) {
			ss, in, out, errw := newSession(o)
			var p *shell.Process
			p, err = s.cfg.Hooks.ExecStream(r.namespace, r.name, container, cmd, o, in, out, errw)
			var nf *ExecNotFound
			switch {
			case errors.As(err, &nf):
				stderr, code, err = nf.Msg+"\n", 126, nil
				return
			case err == nil:
				ss.proc = p
				sess = ss
				return
			}
		}
		if s.cfg.Hooks.Exec == nil {
			err = notFoundPath()
			return
		}
		stdout, stderr, code, err = s.cfg.Hooks.Exec(r.namespace, r.name, container, cmd)
	})
	if err != nil {
		writeError(w, err)
		return
	}
	if sess != nil {
		conn := openStream(w, req, o)
		if conn == nil {
			s.cfg.Driver.Do(func() { sess.proc.Kill() })
			return
		}
		defer conn.close()
		code, gone := s.runSession(sess, conn, o.TTY)
		if !gone {
			conn.status(exitStatus(cmd, code))
		}
		return
	}
	st := exitStatus(cmd, code)
	if !wsstream.IsWebSocketRequest(req) {
		if httpstream.IsUpgradeRequest(req) {
			serveSPDYExec(w, req, stdout, stderr, st)
			return
		}
		writeError(w, apierrors.NewBadRequest("Upgrade request required"))
		return
	}
	conn := wsstream.NewConn(execProtocols)
	_, streams, oerr := conn.Open(w, req)
	if oerr != nil {
		return
	}
	defer conn.Close()
	if stdout != "" {
		streams[1].Write([]byte(stdout))
	}
	if stderr != "" {
		streams[2].Write([]byte(stderr))
	}
	b, _ := json.Marshal(st)
	streams[3].Write(b)
}

// runningContainer checks that the pod runs the named container (the
// first one when name is empty) and returns its name. Call inside Do.
func (s *Server) runningContainer(r *request, container string) (string, error) {
	obj, err := s.cfg.Registry.Get(r.res, r.namespace, r.name)
	if err != nil {
		return "", err
	}
	pod := obj.(*corev1.Pod)
	if container == "" && len(pod.Spec.Containers) > 0 {
		container = pod.Spec.Containers[0].Name
	}
	found := false
	for _, c := range pod.Spec.Containers {
		found = found || c.Name == container
	}
	for _, c := range pod.Spec.EphemeralContainers {
		found = found || c.Name == container
	}
	if !found {
		return "", apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", container, r.name))
	}
	if pod.Status.Phase != corev1.PodRunning {
		return "", apierrors.NewBadRequest(fmt.Sprintf("unable to upgrade connection: container not found (%q)", container))
	}
	return container, nil
}

// serveSPDYExec answers the SPDY/3.1 remote-command protocol older kubectl
// (before WebSocket exec, 1.29) speaks: the client opens one stream per
// channel, named by its streamType header.
func serveSPDYExec(w http.ResponseWriter, req *http.Request, stdout, stderr string, st metav1.Status) {
	proto, err := httpstream.Handshake(req, w, []string{"v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"})
	if err != nil {
		return
	}
	q := req.URL.Query()
	want := map[string]bool{"error": true}
	if isTrue(q.Get("stdout")) || q.Get("output") == "1" {
		want["stdout"] = true
	}
	if (isTrue(q.Get("stderr")) || q.Get("error") == "1") && !isTrue(q.Get("tty")) {
		want["stderr"] = true
	}
	if isTrue(q.Get("stdin")) || q.Get("input") == "1" {
		want["stdin"] = true
	}
	if isTrue(q.Get("tty")) && proto != "channel.k8s.io" && proto != "v2.channel.k8s.io" {
		want["resize"] = true
	}
	streamCh := make(chan httpstream.Stream, len(want)+2)
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, req, func(s httpstream.Stream, _ <-chan struct{}) error {
		streamCh <- s
		return nil
	})
	if conn == nil {
		return
	}
	defer conn.Close()
	got := map[string]httpstream.Stream{}
	for len(got) < len(want) {
		select {
		case s := <-streamCh:
			got[s.Headers().Get("streamType")] = s
		case <-req.Context().Done():
			return
		case <-conn.CloseChan():
			return
		}
	}
	if s := got["stdout"]; s != nil {
		s.Write([]byte(stdout))
		s.Close()
	}
	if s := got["stderr"]; s != nil {
		s.Write([]byte(stderr))
		s.Close()
	}
	if s := got["error"]; s != nil {
		if proto == "v4.channel.k8s.io" {
			b, _ := json.Marshal(st)
			s.Write(b)
		} else if st.Status != metav1.StatusSuccess {
			s.Write([]byte(st.Message))
		}
		s.Close()
	}
}

func joinArgs(a []string) string {
	out := ""
	for i, s := range a {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}

// serveAttach connects the client to a container's main process
// (pods/attach): its stdin, its terminal. The process outlives the client;
// when it ends the container ends with its exit code.
func (s *Server) serveAttach(w http.ResponseWriter, req *http.Request, r *request) {
	q := req.URL.Query()
	o := streamOptions(req)
	var (
		err  error
		sess *session
		a    *Attachment
	)
	s.cfg.Driver.Do(func() {
		var container string
		container, err = s.runningContainer(r, q.Get("container"))
		if err != nil {
			return
		}
		if s.cfg.Hooks.Attach == nil {
			err = notFoundPath()
			return
		}
		ss, _, out, _ := newSession(o)
		a, err = s.cfg.Hooks.Attach(r.namespace, r.name, container, out)
		if err != nil {
			return
		}
		ss.proc, ss.attach = a.Proc, true
		ss.input = nil
		if o.Stdin && a.Stdin != nil {
			ss.input = a.Stdin
			ss.closeInput = func() {}
			if a.StdinOnce {
				ss.closeInput = func() { a.Stdin.Close() }
			}
		}
		sess = ss
	})
	if err != nil {
		writeError(w, err)
		return
	}
	conn := openStream(w, req, o)
	if conn == nil {
		s.cfg.Driver.Do(a.Detach)
		return
	}
	defer conn.close()
	code, gone := s.runSession(sess, conn, o.TTY)
	s.cfg.Driver.Do(func() {
		a.Detach()
		if !gone {
			a.Exited(code)
		}
	})
	if !gone {
		conn.status(exitStatus(nil, 0))
	}
}
