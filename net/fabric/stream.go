package fabric

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Serve carries a client's byte stream to the endpoint, as a TCP
// connection from outside the simulation would (kubectl port-forward):
// HTTP/1.x requests read from r are answered on w, in order, until r ends,
// a request asks for Connection: close, or the bytes are not HTTP (the
// endpoint then closes, as a server does on garbage); a stream server
// (RegisterStream) gets the bytes as they are. locked runs each
// handler call; the caller passes the cluster's loop, since handlers write
// access logs on it.
func (cn *Conn) Serve(r io.Reader, w io.Writer, locked func(func())) error {
	br := bufio.NewReader(r)
	bw := bufio.NewWriter(w)
	if cn.stream != nil {
		return cn.stream(br, bw, locked)
	}
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil
			}
			return err
		}
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return err
		}
		fr := Request{Method: req.Method, Host: req.Host, Path: req.RequestURI, Body: body}
		fr.Header = append(fr.Header, Field{"Host", req.Host})
		for _, k := range sortedKeys(req.Header) {
			for _, v := range req.Header[k] {
				fr.Header = append(fr.Header, Field{k, v})
			}
		}
		var resp Response
		locked(func() { resp = cn.Do(fr) })
		writeResponse(bw, req, resp)
		if err := bw.Flush(); err != nil {
			return err
		}
		if req.Close {
			return nil
		}
	}
}

func sortedKeys(h http.Header) []string {
	ks := make([]string, 0, len(h))
	for k := range h {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// writeResponse writes resp as HTTP/1.1 bytes; a Content-Length the
// handler left out is added (a HEAD answer keeps the GET's length only if
// the handler gave one).
func writeResponse(w *bufio.Writer, req *http.Request, resp Response) {
	w.WriteString(resp.StatusLine() + "\r\n")
	hasLen := false
	for _, f := range resp.Header {
		hasLen = hasLen || strings.EqualFold(f.Name, "Content-Length")
		w.WriteString(f.Name + ": " + f.Value + "\r\n")
	}
	if !hasLen && req.Method != http.MethodHead {
		w.WriteString("Content-Length: " + strconv.Itoa(len(resp.Body)) + "\r\n")
	}
	w.WriteString("\r\n")
	w.Write(resp.Body)
}
