package containerfs

import (
	"fmt"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// model is the simplest filesystem: path → content, "/" dirs marked.
type model map[string]*string // nil: directory

func (m model) isDir(p string) bool { v, ok := m[p]; return ok && v == nil }

func (m model) children(p string) []string {
	var out []string
	for k := range m {
		if k != "/" && path.Dir(k) == p {
			out = append(out, path.Base(k))
		}
	}
	sort.Strings(out)
	return out
}

func (m model) parentErr(p string) error {
	d := path.Dir(p)
	if _, ok := m[d]; !ok {
		return syscall.ENOENT
	}
	if !m.isDir(d) {
		return syscall.ENOTDIR
	}
	return nil
}

// ancestorErr: a proper ancestor that is a file makes lookups fail.
func (m model) ancestorErr(p string) error {
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		if v, ok := m[d]; ok && v != nil {
			return syscall.ENOTDIR
		}
	}
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		if _, ok := m[d]; !ok {
			return syscall.ENOENT
		}
	}
	return nil
}

func (m model) write(p, data string, appendTo bool) error {
	if err := m.ancestorErr(p); err != nil {
		return err
	}
	v, ok := m[p]
	switch {
	case ok && v == nil:
		return syscall.EISDIR
	case ok && appendTo:
		s := *v + data
		m[p] = &s
	default:
		if err := m.parentErr(p); err != nil {
			return err
		}
		s := data
		m[p] = &s
	}
	return nil
}

func (m model) remove(p string, all bool) error {
	if err := m.ancestorErr(p); err != nil {
		if all && err == syscall.ENOENT {
			return nil
		}
		return err
	}
	if _, ok := m[p]; !ok {
		if all {
			return nil
		}
		return syscall.ENOENT
	}
	if m.isDir(p) && len(m.children(p)) > 0 {
		if !all {
			return syscall.ENOTEMPTY
		}
		for _, c := range m.children(p) {
			m.remove(path.Join(p, c), true)
		}
	}
	delete(m, p)
	return nil
}

func (m model) rename(a, b string) error {
	if err := m.ancestorErr(a); err != nil {
		return err
	}
	if _, ok := m[a]; !ok {
		return syscall.ENOENT
	}
	if err := m.ancestorErr(b); err != nil {
		return err
	}
	if a == b {
		return nil
	}
	if err := m.parentErr(b); err != nil {
		return syscall.ENOENT
	}
	if m.isDir(a) && strings.HasPrefix(b+"/", a+"/") {
		return syscall.EINVAL
	}
	if _, ok := m[b]; ok {
		switch {
		case m.isDir(b) && !m.isDir(a):
			return syscall.EISDIR
		case !m.isDir(b) && m.isDir(a):
			return syscall.ENOTDIR
		case m.isDir(b) && len(m.children(b)) > 0:
			return syscall.ENOTEMPTY
		}
		delete(m, b)
	}
	for k, v := range m {
		if k == a || strings.HasPrefix(k, a+"/") {
			delete(m, k)
			m[b+k[len(a):]] = v
		}
	}
	return nil
}

func (m model) mkdir(p string) error {
	if err := m.ancestorErr(p); err != nil {
		return err
	}
	if _, ok := m[p]; ok {
		return syscall.EEXIST
	}
	if err := m.parentErr(p); err != nil {
		return err
	}
	m[p] = nil
	return nil
}

// TestModel runs random operations on an FS (over an image layer, so
// whiteouts, opaque directories and copy-up are exercised) and on the model,
// and compares every answer and, at the end of each run, the whole tree.
func TestModel(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			now := t0
			layer := NewLayer([]Entry{FileEntry("/a/x", "lx"), FileEntry("/a/b/y", "ly"), DirEntry("/c"), FileEntry("/z", "lz")})
			f := New(layer, clockAt(&now))
			m := model{"/": nil, "/a": nil, "/a/b": nil, "/c": nil, "/a/x": ptr("lx"), "/a/b/y": ptr("ly"), "/z": ptr("lz")}
			names := []string{"a", "b", "c", "x", "y", "z"}
			pick := func() string {
				n := 1 + rng.IntN(3)
				var parts []string
				for range n {
					parts = append(parts, names[rng.IntN(len(names))])
				}
				return "/" + strings.Join(parts, "/")
			}
			for step := 0; step < 300; step++ {
				p, q := pick(), pick()
				data := fmt.Sprint(step)
				var got, want error
				var op string
				switch rng.IntN(7) {
				case 0:
					op = "write " + p
					got, want = f.WriteFile(p, []byte(data), 0o644), m.write(p, data, false)
				case 1:
					op = "append " + p
					h, err := f.Append(p)
					if err == nil {
						h.Write([]byte(data))
					}
					got, want = err, m.write(p, data, true)
				case 2:
					op = "mkdir " + p
					got, want = f.Mkdir(p, 0o755), m.mkdir(p)
				case 3:
					op = "rm " + p
					got, want = f.Remove(p), m.remove(p, false)
				case 4:
					op = "rm -r " + p
					got, want = f.RemoveAll(p), m.remove(p, true)
				case 5:
					op = "mv " + p + " " + q
					got, want = f.Rename(p, q), m.rename(p, q)
				case 6:
					op = "cat " + p
					b, err := f.ReadFile(p)
					got = err
					if v, ok := m[p]; m.ancestorErr(p) != nil {
						want = m.ancestorErr(p)
					} else if !ok {
						want = syscall.ENOENT
					} else if v == nil {
						want = syscall.EISDIR
					} else if string(b) != *v {
						t.Fatalf("step %d %s = %q, want %q", step, op, b, *v)
					}
				}
				if (got == nil) != (want == nil) || got != nil && errno(got) != want {
					t.Fatalf("step %d %s: got %v, want %v", step, op, got, want)
				}
			}
			// Walk the FS and compare with the model.
			seen := model{}
			var walk func(p string)
			walk = func(p string) {
				st, err := f.Lstat(p)
				if err != nil {
					t.Fatalf("lstat %s: %v", p, err)
				}
				if !st.IsDir() {
					b, _ := f.ReadFile(p)
					seen[p] = ptr(string(b))
					return
				}
				seen[p] = nil
				es, _ := f.ReadDir(p)
				for _, e := range es {
					walk(path.Join(p, e.Name()))
				}
			}
			walk("/")
			if len(seen) != len(m) {
				t.Fatalf("tree has %d paths, model %d:\n%v\n%v", len(seen), len(m), keys(seen), keys(m))
			}
			for k, v := range m {
				s, ok := seen[k]
				if !ok || (v == nil) != (s == nil) || v != nil && *v != *s {
					t.Fatalf("%s differs", k)
				}
			}
		})
	}
}

func ptr(s string) *string { return &s }

func keys(m model) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
