package images

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// redis's protocol (RESP 2), enough for what learners type through
// kubectl port-forward or nc: PING, ECHO, SET, GET, DEL, QUIT; anything
// else is redis 7's unknown-command error. Commands arrive as RESP arrays
// (redis-cli) or inline lines (nc, telnet).

// StreamServer serves one connection's byte stream (a non-HTTP protocol);
// locked runs work that touches the process (under the cluster's loop).
type StreamServer func(r *bufio.Reader, w *bufio.Writer, locked func(func())) error

// respStore is one redis server's keyspace.
type respStore struct {
	mu   sync.Mutex
	keys map[string]string
}

func (p *Process) respServer() StreamServer {
	st := &respStore{keys: map[string]string{}}
	return func(r *bufio.Reader, w *bufio.Writer, locked func(func())) error {
		for {
			args, err := readRESP(r)
			if err != nil {
				if err == io.EOF {
					return nil
				}
				w.WriteString("-ERR Protocol error: " + err.Error() + "\r\n")
				return w.Flush()
			}
			if len(args) == 0 {
				continue
			}
			reply, quit := st.do(args)
			w.WriteString(reply)
			if err := w.Flush(); err != nil || quit {
				return err
			}
		}
	}
}

func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

func (st *respStore) do(args []string) (string, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	cmd := strings.ToLower(args[0])
	arity := map[string][2]int{"ping": {1, 2}, "echo": {2, 2}, "set": {3, 3}, "get": {2, 2}, "del": {2, 1 << 30}, "quit": {1, 1 << 30}}
	a, known := arity[cmd]
	switch {
	case !known:
		var b strings.Builder
		for _, x := range args[1:] {
			fmt.Fprintf(&b, "'%s' ", x)
		}
		return fmt.Sprintf("-ERR unknown command '%s', with args beginning with: %s\r\n", args[0], b.String()), false
	case len(args) < a[0] || len(args) > a[1]:
		return fmt.Sprintf("-ERR wrong number of arguments for '%s' command\r\n", cmd), false
	}
	switch cmd {
	case "ping":
		if len(args) == 2 {
			return bulk(args[1]), false
		}
		return "+PONG\r\n", false
	case "echo":
		return bulk(args[1]), false
	case "set":
		st.keys[args[1]] = args[2]
		return "+OK\r\n", false
	case "get":
		v, ok := st.keys[args[1]]
		if !ok {
			return "$-1\r\n", false
		}
		return bulk(v), false
	case "del":
		n := 0
		for _, k := range args[1:] {
			if _, ok := st.keys[k]; ok {
				delete(st.keys, k)
				n++
			}
		}
		return ":" + strconv.Itoa(n) + "\r\n", false
	}
	return "+OK\r\n", true // quit
}

// readRESP reads one command: a RESP array of bulk strings, or an inline
// line split on spaces.
func readRESP(r *bufio.Reader) ([]string, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "*") {
		return strings.Fields(line), nil
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil || n < 0 || n > 1024*1024 {
		return nil, fmt.Errorf("invalid multibulk length")
	}
	args := make([]string, 0, min(n, 64))
	for range n {
		h, err := readLine(r)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(h, "$") {
			return nil, fmt.Errorf("expected '$', got '%c'", firstByte(h))
		}
		size, err := strconv.Atoi(h[1:])
		if err != nil || size < 0 || size > 8<<20 {
			return nil, fmt.Errorf("invalid bulk length")
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		args = append(args, string(buf[:size]))
	}
	return args, nil
}

func firstByte(s string) byte {
	if s == "" {
		return ' '
	}
	return s[0]
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
