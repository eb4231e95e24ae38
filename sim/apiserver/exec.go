package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/streaming/pkg/httpstream"
	"k8s.io/streaming/pkg/httpstream/spdy"
	"k8s.io/streaming/pkg/httpstream/wsstream"
)

// Channel protocols kubectl offers for exec (v5 adds the close signal).
var execProtocols = map[string]wsstream.ChannelProtocolConfig{
	"v5.channel.k8s.io": {Binary: true, Channels: []wsstream.ChannelType{wsstream.ReadChannel, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.ReadChannel}},
	"v4.channel.k8s.io": {Binary: true, Channels: []wsstream.ChannelType{wsstream.ReadChannel, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.ReadChannel}},
}

// serveExec runs a command in a container over the WebSocket channel
// protocol (pods/exec). The command runs to completion against the image
// catalog's behaviour, then its output and status go down the channels.
func (s *Server) serveExec(w http.ResponseWriter, req *http.Request, r *request) {
	q := req.URL.Query()
	cmd := q["command"]
	var (
		stdout, stderr string
		code           int
		err            error
	)
	s.cfg.Driver.Do(func() {
		var obj any
		obj, err = s.cfg.Registry.Get(r.res, r.namespace, r.name)
		if err != nil {
			return
		}
		pod := obj.(*corev1.Pod)
		container := q.Get("container")
		if container == "" && len(pod.Spec.Containers) > 0 {
			container = pod.Spec.Containers[0].Name
		}
		found := false
		for _, c := range pod.Spec.Containers {
			found = found || c.Name == container
		}
		if !found {
			err = apierrors.NewBadRequest(fmt.Sprintf("container %s is not valid for pod %s", container, r.name))
			return
		}
		if pod.Status.Phase != corev1.PodRunning {
			err = apierrors.NewBadRequest(fmt.Sprintf("unable to upgrade connection: container not found (%q)", container))
			return
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
	st := metav1.Status{Status: metav1.StatusSuccess}
	if code != 0 {
		st = metav1.Status{Status: metav1.StatusFailure, Reason: "NonZeroExitCode",
			Message: fmt.Sprintf("command terminated with non-zero exit code: error executing command [%s], exit code %d", joinArgs(cmd), code),
			Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: "ExitCode", Message: strconv.Itoa(code)}}}}
	}
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
