package benchmarks

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"kubesim/server"
	"kubesim/sim"
)

// A served cluster in a child process: the test binary re-executed with
// childEnv set runs server.Start on that state directory, as `kubesim
// start` does, and serves until it is killed.
const childEnv = "KUBESIM_BENCH_SERVE_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		serveChild(dir)
	}
	os.Exit(m.Run())
}

func serveChild(dir string) {
	sim.TuneGC()
	s, err := server.Start(server.Config{Spec: sim.DefaultClusterSpec(), StateDir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	if err := server.WriteRuntimeFiles(dir, os.Getpid(), s.Addr); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	select {}
}

// child is a served cluster in another process.
type child struct {
	cmd    *exec.Cmd
	addr   string
	client *http.Client
	token  string
	exited chan error
	stderr *bytes.Buffer
}

// startChild starts a served cluster on dir and waits (bounded) until its
// /readyz answers.
func startChild(t testing.TB, dir string) *child {
	t.Helper()
	os.Remove(filepath.Join(dir, "port"))
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, exited: make(chan error, 1), stderr: &stderr}
	go func() { c.exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	var lastErr error
	for {
		if time.Now().After(deadline) {
			// A goroutine dump (SIGQUIT) says where it is stuck.
			cmd.Process.Signal(syscall.SIGQUIT)
			<-c.exited
			out := stderr.String()
			_, _, rerr := server.ReadRuntime(dir)
			t.Fatalf("served cluster did not answer /readyz within 60 s (address %q, runtime files: %v, last error: %v)\n%s", c.addr, rerr, lastErr, out[max(0, len(out)-3000):])
		}
		select {
		case err := <-c.exited:
			t.Fatalf("served cluster exited: %v\n%s", err, stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
		if c.client == nil {
			// The files are the new child's once they name its pid and
			// an address (a read may fall between truncate and write).
			if pid, addr, err := server.ReadRuntime(dir); err == nil && pid == cmd.Process.Pid && addr != "" {
				c.addr = addr
				c.client, c.token = clientFor(t, dir)
			}
			continue
		}
		resp, err := c.client.Get("https://" + c.addr + "/readyz")
		if err != nil {
			lastErr = err
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return c
		}
		lastErr = fmt.Errorf("/readyz: %s", resp.Status)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() {
	c.cmd.Process.Kill()
	<-c.exited
	c.exited <- nil // later kills return at once
}

func clientFor(t testing.TB, dir string) (*http.Client, string) {
	ca, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 1024}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}, strings.TrimSpace(string(tok))
}

// do sends a request with the cluster's token and decodes a JSON answer
// into out (nil: discarded). It returns the status code.
func (c *child) do(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "https://"+c.addr+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode >= 300 {
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
}

// meta is the part of an object or list the measurements read.
type meta struct {
	Metadata struct {
		Name            string `json:"name"`
		ResourceVersion string `json:"resourceVersion"`
	} `json:"metadata"`
	Items []meta `json:"items"`
}

// watchEventLine is one line of a watch stream.
type watchEventLine struct {
	Type   string `json:"type"`
	Object meta   `json:"object"`
}

// watchStream opens a watch and calls fn for each event until the stream
// ends or fn returns false.
func (c *child) watchStream(path string, fn func(watchEventLine) bool) error {
	req, err := http.NewRequest(http.MethodGet, "https://"+c.addr+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	cl := *c.client
	cl.Timeout = 0
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("watch %s: %s", path, resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev watchEventLine
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return err
		}
		if !fn(ev) {
			return nil
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return nil
}
