package shell

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"syscall"
)

// tar creates (c), extracts (x) or lists (t) archives on stdin/stdout or a
// file (f), relative to -C DIR; what kubectl cp runs: `tar cf - PATH` and
// `tar -xmf - -C DIR`. Compression is not modelled.
func tar_(c *call) int {
	args := c.args[1:]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = append([]string{"-" + args[0]}, args[1:]...)
	}
	o := getopt(args, "cxtvf:mopzC:hO", map[string]byte{"directory": 'C', "file": 'f', "no-same-owner": 'o', "no-same-permissions": 'p'})
	if o.bad != 0 || o.miss != 0 {
		return c.badOption(o)
	}
	dir := c.dir
	if d := o.last('C'); d != "" {
		dir = c.abs(d)
		if st, err := c.p.fs.Stat(dir); err != nil || !st.IsDir() {
			c.errorf("can't change directory to '%s': %s", d, strerror(errnoOf(orNotDir(err))))
			return 1
		}
	}
	file := o.last('f')
	if file == "" {
		file = "-"
	}
	switch {
	case o.has('c'):
		if len(o.args) == 0 {
			if c.gnu() {
				c.errorf("Cowardly refusing to create an empty archive")
			} else {
				c.errorf("empty archive")
			}
			return 2
		}
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		code := 0
		warned := false
		for _, a := range o.args {
			name := path.Clean(a)
			if strings.HasPrefix(name, "/") {
				if !warned {
					if c.gnu() {
						c.errorf("Removing leading `/' from member names")
					} else {
						c.errorf("removing leading '/' from member names")
					}
					warned = true
				}
			}
			if err := c.tarAdd(tw, abs(dir, a), strings.TrimLeft(name, "/")); err != nil {
				if c.gnu() {
					c.errorf("%s: Cannot stat: %s", a, strerror(errnoOf(err)))
				} else {
					c.errorf("%s: %s", a, strerror(errnoOf(err)))
				}
				code = 2
			}
		}
		tw.Close()
		if file == "-" {
			c.out.Write(buf.Bytes())
		} else if err := c.p.fs.WriteFile(c.abs(file), buf.Bytes(), 0o644); err != nil {
			c.errorf("can't open '%s': %s", file, strerror(errnoOf(err)))
			return 2
		}
		return code
	case o.has('x') || o.has('t'):
		var r io.Reader = c.in
		if file != "-" {
			b, err := c.p.fs.ReadFile(c.abs(file))
			if err != nil {
				c.errorf("can't open '%s': %s", file, strerror(errnoOf(err)))
				return 2
			}
			r = bytes.NewReader(b)
		}
		tr := tar.NewReader(r)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return 0
			}
			if err != nil {
				if c.gnu() {
					c.errorf("This does not look like a tar archive")
				} else {
					c.errorf("short read")
				}
				return 2
			}
			if o.has('t') || o.has('v') {
				fmt.Fprintln(c.out, h.Name)
			}
			if o.has('t') {
				continue
			}
			if err := c.tarExtract(tr, h, dir); err != nil {
				c.errorf("can't create '%s': %s", h.Name, strerror(errnoOf(err)))
				return 2
			}
		}
	}
	c.errorf("need to specify one of -c, -x or -t")
	return 2
}

func orNotDir(err error) error {
	if err == nil {
		return &fs.PathError{Err: syscall.ENOTDIR}
	}
	return err
}

func (c *call) tarAdd(tw *tar.Writer, full, name string) error {
	fsys := c.p.fs
	st, err := fsys.Lstat(full)
	if err != nil {
		return err
	}
	h := &tar.Header{Name: name, Mode: int64(st.Mode().Perm()), ModTime: st.ModTime(), Uname: "root", Gname: "root", Format: tar.FormatGNU}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		h.Typeflag = tar.TypeSymlink
		h.Linkname, _ = fsys.Readlink(full)
		return tw.WriteHeader(h)
	case st.IsDir():
		h.Typeflag, h.Name = tar.TypeDir, name+"/"
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		es, err := fsys.ReadDir(full)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := c.tarAdd(tw, path.Join(full, e.Name()), path.Join(name, e.Name())); err != nil {
				return err
			}
		}
		return nil
	}
	b, err := fsys.ReadFile(full)
	if err != nil {
		return err
	}
	h.Typeflag, h.Size = tar.TypeReg, int64(len(b))
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	_, err = tw.Write(b)
	return err
}

func (c *call) tarExtract(tr *tar.Reader, h *tar.Header, dir string) error {
	fsys := c.p.fs
	target := abs(dir, strings.TrimLeft(h.Name, "/"))
	if err := fsys.MkdirAll(path.Dir(target), 0o755); err != nil {
		return err
	}
	switch h.Typeflag {
	case tar.TypeDir:
		return fsys.MkdirAll(target, fs.FileMode(h.Mode).Perm()|0o700)
	case tar.TypeSymlink:
		fsys.Remove(target)
		return fsys.Symlink(h.Linkname, target)
	case tar.TypeReg, tar.TypeRegA:
		b, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		if err := fsys.WriteFile(target, b, fs.FileMode(h.Mode).Perm()); err != nil {
			return err
		}
		return fsys.Chmod(target, fs.FileMode(h.Mode).Perm())
	}
	return nil
}
