package fabric

import (
	"strings"
	"testing"
)

// TestServe: a byte stream's HTTP requests are answered in order on one
// connection (keep-alive), with a Content-Length the handler left out, and
// the stream ends after Connection: close.
func TestServe(t *testing.T) {
	f := lecture()
	cn, err := f.Dial(Client{Addr: pod}, pod, 80)
	if err != nil {
		t.Fatal(err)
	}
	in := "GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n" +
		"HEAD /x HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n\r\n" +
		"GET /never HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"
	var out strings.Builder
	calls := 0
	if err := cn.Serve(strings.NewReader(in), &out, func(fn func()) { calls++; fn() }); err != nil {
		t.Fatal(err)
	}
	want := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nIt works!" +
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
	if out.String() != want || calls != 2 {
		t.Errorf("got %q (%d calls), want %q", out.String(), calls, want)
	}
	out.Reset()
	if err := cn.Serve(strings.NewReader("\x00\x01garbage\r\n\r\n"), &out, func(fn func()) { fn() }); err == nil || out.Len() != 0 {
		t.Errorf("garbage: %v %q", err, out.String())
	}
}
