package apiserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/streaming/pkg/httpstream"
	"k8s.io/streaming/pkg/httpstream/spdy"
	"k8s.io/streaming/pkg/httpstream/wsstream"

	"kubesim/runtime/shell"
)

// StreamOptions are what an interactive exec or attach asks for.
type StreamOptions struct {
	Stdin, Stdout, Stderr, TTY bool
}

// termSize is one message of the resize channel (remotecommand's
// TerminalSize).
type termSize struct {
	Width, Height uint16
}

// streamConn is one exec or attach connection, whichever protocol carries
// it: kubectl 1.30+ speaks WebSocket (v5.channel.k8s.io), older kubectl
// SPDY/3.1 with one stream per channel.
type streamConn struct {
	stdin          io.Reader // nil without stdin
	stdout, stderr io.Writer // nil when not asked for
	resize         <-chan termSize
	// gone is closed when the client goes (the connection ends).
	gone <-chan struct{}
	// status ends the session with the error channel's status (v4+: JSON;
	// older SPDY protocols: the message of a failure).
	status func(metav1.Status)
	close  func()
}

// streamOptions reads exec/attach's query parameters (the SPDY-era names
// too).
func streamOptions(req *http.Request) StreamOptions {
	q := req.URL.Query()
	o := StreamOptions{
		Stdin:  isTrue(q.Get("stdin")) || q.Get("input") == "1",
		Stdout: isTrue(q.Get("stdout")) || q.Get("output") == "1",
		Stderr: isTrue(q.Get("stderr")) || q.Get("error") == "1",
		TTY:    isTrue(q.Get("tty")),
	}
	if o.TTY {
		o.Stderr = false // one terminal carries both
	}
	return o
}

// openStream upgrades the request to the protocol the client asked for; on
// failure it has answered the request and returns nil.
func openStream(w http.ResponseWriter, req *http.Request, o StreamOptions) *streamConn {
	if wsstream.IsWebSocketRequest(req) {
		return openWebSocket(w, req, o)
	}
	if httpstream.IsUpgradeRequest(req) {
		return openSPDY(w, req, o)
	}
	writeError(w, apierrors.NewBadRequest("Upgrade request required"))
	return nil
}

func openWebSocket(w http.ResponseWriter, req *http.Request, o StreamOptions) *streamConn {
	conn := wsstream.NewConn(execProtocols)
	_, ch, err := conn.Open(w, req)
	if err != nil {
		return nil
	}
	gone := make(chan struct{})
	sc := &streamConn{gone: gone, close: func() { conn.Close() }}
	sc.status = func(st metav1.Status) {
		b, _ := json.Marshal(st)
		ch[3].Write(b)
	}
	if o.Stdin {
		sc.stdin = ch[0]
	} else {
		go io.Copy(io.Discard, ch[0])
	}
	if o.Stdout {
		sc.stdout = ch[1]
	}
	if o.Stderr {
		sc.stderr = ch[2]
	}
	// The resize channel is read whatever the options (the connection's
	// reader must never block on it); its end is the connection's.
	resize := make(chan termSize, 4)
	go func() {
		defer close(gone)
		readResize(ch[4], resize, o.TTY)
	}()
	if o.TTY {
		sc.resize = resize
	}
	return sc
}

// readResize decodes resize messages into out until r ends.
func readResize(r io.Reader, out chan<- termSize, keep bool) {
	dec := json.NewDecoder(r)
	for {
		var sz termSize
		if err := dec.Decode(&sz); err != nil {
			io.Copy(io.Discard, r)
			return
		}
		if keep {
			select {
			case out <- sz:
			default:
			}
		}
	}
}

// spdyProtocols are the remote-command protocols of SPDY, newest first.
var spdyProtocols = []string{"v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"}

func openSPDY(w http.ResponseWriter, req *http.Request, o StreamOptions) *streamConn {
	proto, err := httpstream.Handshake(req, w, spdyProtocols)
	if err != nil {
		return nil
	}
	want := map[string]bool{"error": true}
	if o.Stdout {
		want["stdout"] = true
	}
	if o.Stderr {
		want["stderr"] = true
	}
	if o.Stdin {
		want["stdin"] = true
	}
	if o.TTY && proto != "channel.k8s.io" && proto != "v2.channel.k8s.io" {
		want["resize"] = true
	}
	streamCh := make(chan httpstream.Stream, 8)
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, req, func(s httpstream.Stream, _ <-chan struct{}) error {
		streamCh <- s
		return nil
	})
	if conn == nil {
		return nil
	}
	got := map[string]httpstream.Stream{}
	for len(got) < len(want) {
		select {
		case s := <-streamCh:
			got[s.Headers().Get("streamType")] = s
		case <-req.Context().Done():
			conn.Close()
			return nil
		case <-conn.CloseChan():
			return nil
		}
	}
	gone := make(chan struct{})
	go func() {
		<-conn.CloseChan()
		close(gone)
	}()
	sc := &streamConn{gone: gone, close: func() { conn.Close() }}
	if s := got["stdin"]; s != nil {
		sc.stdin = s
	}
	if s := got["stdout"]; s != nil {
		sc.stdout = s
	}
	if s := got["stderr"]; s != nil {
		sc.stderr = s
	}
	if s := got["resize"]; s != nil {
		resize := make(chan termSize, 4)
		go readResize(s, resize, true)
		sc.resize = resize
	}
	errStream := got["error"]
	sc.status = func(st metav1.Status) {
		for _, k := range []string{"stdout", "stderr"} {
			if s := got[k]; s != nil {
				s.Close()
			}
		}
		if proto == "v4.channel.k8s.io" {
			b, _ := json.Marshal(st)
			errStream.Write(b)
		} else if st.Status != metav1.StatusSuccess {
			errStream.Write([]byte(st.Message))
		}
		errStream.Close()
	}
	return sc
}

// exitStatus is the error channel's status for a process's exit code, as
// the kubelet reports it.
func exitStatus(cmd []string, code int) metav1.Status {
	if code == 0 {
		return metav1.Status{Status: metav1.StatusSuccess}
	}
	return metav1.Status{Status: metav1.StatusFailure, Reason: "NonZeroExitCode",
		Message: fmt.Sprintf("command terminated with non-zero exit code: error executing command [%s], exit code %d", joinArgs(cmd), code),
		Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: "ExitCode", Message: strconv.Itoa(code)}}}}
}

// session is a process a client streams to.
type session struct {
	proc  *shell.Process
	input *shell.Input // nil without stdin
	out   *outBuffer   // stdout, or the terminal
	errw  *outBuffer   // stderr (nil with a terminal)
	// attach: the process outlives the client (it is not killed when the
	// client goes); closeInput, when set, is what the end of the client's
	// input does (nothing unless stdinOnce).
	attach     bool
	closeInput func()
}

// newSession makes the process's streams for o; start builds the process
// from them (inside Do).
func newSession(o StreamOptions) (*session, io.Reader, io.Writer, io.Writer) {
	s := &session{out: newOutBuffer()}
	var stdin io.Reader
	if o.Stdin {
		s.input = shell.NewInput(o.TTY)
		stdin = s.input
	}
	var stdout, stderr io.Writer = s.out, s.out
	if o.TTY {
		stdout = onlcr{s.out}
		stderr = stdout
	} else {
		s.errw = newOutBuffer()
		stderr = s.errw
	}
	return s, stdin, stdout, stderr
}

// run drives the session's process to its end on the cluster's loop, feeding
// it the client's input and sending its output, and returns its exit code.
// In a live cluster the process runs on the cluster's clock (a sleep 2 lasts
// two seconds of wall time); a stepped cluster never waits: the process's
// sleeps end at once, as a non-interactive exec's do. gone reports the
// client went before the process ended (it was killed).
func (s *Server) runSession(sess *session, conn *streamConn, tty bool) (code int, gone bool) {
	var wg sync.WaitGroup
	var goneOnce sync.Once
	left := make(chan struct{})
	leave := func() { goneOnce.Do(func() { close(left) }) }
	go func() {
		select {
		case <-conn.gone:
			leave()
		case <-left:
		}
	}()
	wg.Add(1)
	go func() { defer wg.Done(); sess.out.pump(conn.stdout, leave) }()
	if sess.errw != nil {
		wg.Add(1)
		go func() { defer wg.Done(); sess.errw.pump(conn.stderr, leave) }()
	}
	if sess.input != nil && conn.stdin != nil {
		go func() {
			var w io.Writer = sess.input
			if tty {
				w = &lineDiscipline{in: sess.input, echo: sess.out}
			}
			io.Copy(w, conn.stdin)
			if sess.closeInput != nil {
				sess.closeInput()
			} else {
				sess.input.Close()
			}
		}()
	}
	if conn.resize != nil {
		go func() {
			for {
				select {
				case sz := <-conn.resize:
					sess.proc.Resize(int(sz.Width), int(sz.Height))
				case <-left:
					return
				}
			}
		}()
	}
	var ready <-chan struct{}
	if sess.input != nil {
		ready = sess.input.Ready()
	}
	live := s.cfg.Live
	var until time.Time
	for {
		var st shell.Status
		s.cfg.Driver.Do(func() {
			now := s.cfg.Clock.Now()
			u := now
			if !live && until.After(now) {
				u = until
			}
			st = sess.proc.Resume(now, u)
		})
		if st.Exited {
			code = st.Code
			break
		}
		if !st.Wake.IsZero() && !live {
			until = st.Wake // stepped: the sleep ends now
			continue
		}
		if !st.Wake.IsZero() {
			ctx := leftContext{left}
			s.cfg.Driver.Wait(ctx, ready, st.Wake)
			if isClosed(left) {
				gone = true
				break
			}
			continue
		}
		select {
		case <-ready:
		case <-left:
			gone = true
		}
		if gone {
			break
		}
	}
	if gone && !sess.attach {
		s.cfg.Driver.Do(func() { sess.proc.Kill() })
		code = 137
	}
	sess.out.close()
	if sess.errw != nil {
		sess.errw.close()
	}
	wg.Wait()
	leave()
	return code, gone
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// leftContext is a context that is done when the client leaves (for
// Driver.Wait).
type leftContext struct{ left <-chan struct{} }

func (c leftContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c leftContext) Done() <-chan struct{}       { return c.left }
func (c leftContext) Err() error {
	if isClosed(c.left) {
		return errLeft
	}
	return nil
}
func (c leftContext) Value(any) any { return nil }

var errLeft = fmt.Errorf("client left")
