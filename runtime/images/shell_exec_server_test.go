package images

import (
	"testing"
	"time"
)

// A script that ends by running a server in the foreground becomes that
// server, as `sh -c '… && nginx -g "daemon off;"'` does with exec-less sh.
func TestScriptEndsInServer(t *testing.T) {
	img := DefaultAt(time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC)).MustResolve("nginx:1.21-alpine")
	for _, script := range []string{"nginx -g 'daemon off;'", "echo x > /usr/share/nginx/html/index.html &&\nnginx -g 'daemon off;'"} {
		p, err := img.Start(ProcessSpec{Command: []string{"/bin/sh", "-c", script}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Exit != nil {
			t.Errorf("%q: exits (%+v); want a server that runs until stopped", script, *p.Exit)
		}
		if p.Ports[80] == nil {
			t.Errorf("%q: nothing listens on port 80", script)
		}
	}
	p, _ := img.Start(ProcessSpec{Command: []string{"/bin/sh", "-c", "nosuch && nginx"}})
	if p.Exit == nil || p.Exit.Code != 127 {
		t.Errorf("a failing command before the server: exit %+v, want 127", p.Exit)
	}
}
