package shell

import (
	"bytes"
	"context"
	"io"
	"io/fs"

	"kubesim/internal/curl"
	"kubesim/net/fabric"
)

// FabricNetwork is a Network that also hands over the fabric and the pod's
// place on it, so that curl (internal/curl, a fabric client) runs from the
// pod: cluster DNS with its search list, its address as the source that
// NetworkPolicy judges. The cluster's pod network implements it.
type FabricNetwork interface {
	Fabric() (*fabric.Fabric, fabric.Client)
}

// curlVersion is the curl the images that ship one carry (curlimages/curl
// 8.x): internal/curl's 8.5.0 wording.
const curlVersion = "8.5.0"

// curlApplet runs internal/curl from the container: output files go to the
// container's filesystem, -d @file reads from it ("-" is stdin). Without a
// pod network every name fails to resolve.
func curlApplet(c *call) int {
	f, client := fabric.New(), fabric.Client{}
	if fn, ok := c.p.cfg.Net.(FabricNetwork); ok {
		f, client = fn.Fabric()
	}
	cu, err := curl.New(curl.Config{
		Version: curlVersion,
		Client:  client,
		IsTTY:   c.p.tty != nil,
		OpenFile: func(name string) (io.WriteCloser, error) {
			return &fileWriter{c: c, name: c.abs(name)}, nil
		},
		ReadFile: func(name string) ([]byte, error) {
			if name == "-" {
				return io.ReadAll(c.in)
			}
			return c.p.fs.ReadFile(c.abs(name))
		},
	})
	if err != nil {
		c.errorf("%v", err)
		return 2
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return cu.Run(ctx, f, c.args[1:], c.out, c.errw)
}

// fileWriter collects curl's -o output and writes the file on Close.
type fileWriter struct {
	c    *call
	name string
	buf  bytes.Buffer
}

func (w *fileWriter) Write(b []byte) (int, error) { return w.buf.Write(b) }

func (w *fileWriter) Close() error {
	return w.c.p.fs.WriteFile(w.name, w.buf.Bytes(), fs.FileMode(0o644))
}

// init runs after applets_misc.go fills the table (files init in name
// order).
func init() { applets["curl"] = curlApplet }
