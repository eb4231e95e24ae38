package apiserver

import (
	"bytes"
	"io"
	"sync"

	"kubesim/runtime/shell"
)

// lineDiscipline is the container side of the pseudo-terminal containerd
// allocates for a tty exec or a tty container, in its default (canonical)
// mode: the client's terminal is raw (kubectl puts it so), so echo, erase
// and line assembly happen here. Input bytes are echoed to the output (CR
// as CR LF), a line goes to the process when Enter completes it (ICRNL), DEL
// and ^H erase a character, ^U the line, ^D at the start of a line is end of
// file; ^C clears the line and hands the shell an empty one (the prompt
// comes back), it does not interrupt a running command [not modelled:
// SIGINT].
type lineDiscipline struct {
	in   *shell.Input
	echo io.Writer
	line []byte
}

func (l *lineDiscipline) Write(b []byte) (int, error) {
	var echo bytes.Buffer
	for _, c := range b {
		switch c {
		case '\r', '\n':
			echo.WriteString("\r\n")
			l.line = append(l.line, '\n')
			l.in.Write(l.line)
			l.line = l.line[:0]
		case 0x7f, 0x08:
			if len(l.line) > 0 {
				n := 1
				if l.line[len(l.line)-1] < 0x20 {
					n = 2 // ^X took two columns
				}
				l.line = l.line[:len(l.line)-1]
				for range n {
					echo.WriteString("\b \b")
				}
			}
		case 0x15: // ^U
			for range l.line {
				echo.WriteString("\b \b")
			}
			l.line = l.line[:0]
		case 0x03: // ^C
			echo.WriteString("^C\r\n")
			l.line = l.line[:0]
			l.in.Write([]byte{'\n'})
		case 0x04: // ^D
			if len(l.line) == 0 {
				l.in.EOF()
			} else {
				l.in.Write(l.line)
				l.line = l.line[:0]
			}
		case '\t', 0x1b:
			l.line = append(l.line, c)
			if c == '\t' {
				echo.WriteByte(c)
			} else {
				echo.WriteString("^[")
			}
		default:
			l.line = append(l.line, c)
			if c < 0x20 {
				echo.Write([]byte{'^', c + '@'})
			} else {
				echo.WriteByte(c)
			}
		}
	}
	if echo.Len() > 0 {
		l.echo.Write(echo.Bytes())
	}
	return len(b), nil
}

// onlcr is a terminal's output translation: NL goes out as CR NL.
type onlcr struct{ w io.Writer }

func (o onlcr) Write(b []byte) (int, error) {
	if bytes.IndexByte(b, '\n') < 0 {
		return o.w.Write(b)
	}
	if _, err := o.w.Write(bytes.ReplaceAll(b, []byte{'\n'}, []byte{'\r', '\n'})); err != nil {
		return 0, err
	}
	return len(b), nil
}

// outBuffer collects what a process writes (on the cluster's loop, which
// must not wait for a slow client) for a pump to send: writes never block.
type outBuffer struct {
	mu     sync.Mutex
	buf    []byte
	closed bool
	ready  chan struct{}
}

func newOutBuffer() *outBuffer { return &outBuffer{ready: make(chan struct{}, 1)} }

func (o *outBuffer) Write(b []byte) (int, error) {
	o.mu.Lock()
	o.buf = append(o.buf, b...)
	o.mu.Unlock()
	select {
	case o.ready <- struct{}{}:
	default:
	}
	return len(b), nil
}

// close ends the buffer: the pump sends what is left and returns.
func (o *outBuffer) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	select {
	case o.ready <- struct{}{}:
	default:
	}
}

// pump sends the buffer to w until it is closed and drained, or w fails
// (then gone is called and the rest is dropped).
func (o *outBuffer) pump(w io.Writer, gone func()) {
	for {
		o.mu.Lock()
		b, closed := o.buf, o.closed
		o.buf = nil
		o.mu.Unlock()
		if len(b) > 0 && w != nil {
			if _, err := w.Write(b); err != nil {
				gone()
				w = nil
			}
		}
		if closed && len(b) == 0 {
			return
		}
		if len(b) == 0 {
			<-o.ready
		}
	}
}
