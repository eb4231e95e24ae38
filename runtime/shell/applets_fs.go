package shell

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"kubesim/runtime/containerfs"
)

func cat(c *call) int {
	o := getopt(c.args[1:], "nbeAvtsu", nil)
	files := o.args
	if len(files) == 0 {
		files = []string{"-"}
	}
	code := 0
	for _, f := range files {
		if f == "-" && len(o.set) == 0 {
			// Plain cat of stdin copies as input comes (a terminal's
			// lines, kubectl exec -i).
			if _, err := io.Copy(c.out, c.in); err != nil && !c.p.killed.Load() {
				c.errorf("read error: %s", strerror(errnoOf(err)))
				code = 1
			}
			continue
		}
		b, err := c.readInput(f)
		if err != nil {
			e := errnoOf(err)
			switch {
			case e == syscall.EISDIR && c.gnu():
				c.errorf("%s: Is a directory", f)
			case e == syscall.EISDIR:
				c.errorf("read error: Is a directory")
			case c.gnu():
				c.errorf("%s: %s", f, strerror(e))
			default:
				c.errorf("can't open '%s': %s", f, strerror(e))
			}
			code = 1
			continue
		}
		if o.has('n') {
			lines := splitLines(b)
			for i, l := range lines {
				fmt.Fprintf(c.out, "%6d\t%s", i+1, l)
			}
			continue
		}
		c.out.Write(b)
	}
	return code
}

// splitLines splits after each newline, keeping it.
func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

func touch(c *call) int {
	o := getopt(c.args[1:], "cd:t:r:am", nil)
	if len(o.args) == 0 {
		if c.gnu() {
			c.errorf("missing file operand")
			fmt.Fprintf(c.errw, "Try 'touch --help' for more information.\n")
		} else {
			fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		}
		return 1
	}
	code := 0
	fsys := c.p.fs
	for _, f := range o.args {
		p := c.abs(f)
		err := fsys.Chtimes(p, c.p.Now())
		if err != nil && errnoOf(err) == syscall.ENOENT && !o.has('c') {
			var h lockedFile
			h, err = fsys.OpenFile(p, os.O_WRONLY|os.O_CREATE, 0o666)
			if err == nil {
				h.Close()
			}
		}
		if err != nil && !(o.has('c') && errnoOf(err) == syscall.ENOENT) {
			if c.gnu() {
				c.errorf("cannot touch '%s': %s", f, strerror(errnoOf(err)))
			} else {
				c.errorf("%s: %s", f, strerror(errnoOf(err)))
			}
			code = 1
		}
	}
	return code
}

func mkdir(c *call) int {
	o := getopt(c.args[1:], "pm:v", map[string]byte{"parents": 'p', "mode": 'm'})
	if o.bad != 0 || o.miss != 0 {
		return c.badOption(o)
	}
	perm := fs.FileMode(0o777)
	if m := o.last('m'); m != "" {
		if n, err := strconv.ParseUint(m, 8, 32); err == nil {
			perm = fs.FileMode(n)
		}
	}
	code := 0
	for _, d := range o.args {
		var err error
		if o.has('p') {
			err = c.p.fs.MkdirAll(c.abs(d), perm)
		} else {
			err = c.p.fs.Mkdir(c.abs(d), perm)
		}
		if err == nil && o.has('m') {
			err = c.p.fs.Chmod(c.abs(d), perm)
		}
		if err != nil {
			if c.gnu() {
				c.errorf("cannot create directory '%s': %s", d, strerror(errnoOf(err)))
			} else {
				c.errorf("can't create directory '%s': %s", d, strerror(errnoOf(err)))
			}
			code = 1
		}
	}
	return code
}

func rmdir(c *call) int {
	code := 0
	for _, d := range getopt(c.args[1:], "p", nil).args {
		p := c.abs(d)
		st, err := c.p.fs.Lstat(p)
		if err == nil && !st.IsDir() {
			err = &fs.PathError{Op: "rmdir", Path: d, Err: syscall.ENOTDIR}
		}
		if err == nil {
			err = c.p.fs.Remove(p)
		}
		if err != nil {
			if c.gnu() {
				c.errorf("failed to remove '%s': %s", d, strerror(errnoOf(err)))
			} else {
				c.errorf("'%s': %s", d, strerror(errnoOf(err)))
			}
			code = 1
		}
	}
	return code
}

func rm(c *call) int {
	o := getopt(c.args[1:], "rRfiv", map[string]byte{"recursive": 'r', "force": 'f'})
	recursive := o.has('r') || o.has('R')
	if len(o.args) == 0 && !o.has('f') {
		if c.gnu() {
			c.errorf("missing operand")
			fmt.Fprintf(c.errw, "Try 'rm --help' for more information.\n")
		} else {
			fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		}
		return 1
	}
	fail := func(f string, e syscall.Errno) {
		if c.gnu() {
			c.errorf("cannot remove '%s': %s", f, strerror(e))
		} else {
			c.errorf("can't remove '%s': %s", f, strerror(e))
		}
	}
	code := 0
	for _, f := range o.args {
		p := c.abs(f)
		st, err := c.p.fs.Lstat(p)
		if err != nil {
			if !o.has('f') {
				fail(f, errnoOf(err))
				code = 1
			}
			continue
		}
		if st.IsDir() && !recursive {
			if c.gnu() {
				c.errorf("cannot remove '%s': Is a directory", f)
			} else {
				c.errorf("'%s' is a directory", f)
			}
			code = 1
			continue
		}
		if st.IsDir() {
			err = c.p.fs.RemoveAll(p)
		} else {
			err = c.p.fs.Remove(p)
		}
		if err != nil {
			fail(f, errnoOf(err))
			code = 1
		}
	}
	return code
}

// copyPath copies src to dst (recursively when r), as cp does.
func (c *call) copyPath(src, dst string, r bool) error {
	fsys := c.p.fs
	st, err := fsys.Stat(src)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		b, err := fsys.ReadFile(src)
		if err != nil {
			return err
		}
		return fsys.WriteFile(dst, b, st.Mode().Perm())
	}
	if !r {
		return errOmitDir
	}
	if err := fsys.Mkdir(dst, st.Mode().Perm()); err != nil && errnoOf(err) != syscall.EEXIST {
		return err
	}
	es, err := fsys.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := c.copyPath(path.Join(src, e.Name()), path.Join(dst, e.Name()), r); err != nil {
			return err
		}
	}
	return nil
}

var errOmitDir = fmt.Errorf("omitting directory")

func cp(c *call) int { return copyOrMove(c, false) }
func mv(c *call) int { return copyOrMove(c, true) }

func copyOrMove(c *call, move bool) int {
	o := getopt(c.args[1:], "rRpafnvdi", map[string]byte{"recursive": 'r', "force": 'f'})
	if len(o.args) < 2 {
		if c.gnu() {
			if len(o.args) == 0 {
				c.errorf("missing file operand")
			} else {
				c.errorf("missing destination file operand after '%s'", o.args[0])
			}
			fmt.Fprintf(c.errw, "Try '%s --help' for more information.\n", c.name())
		} else {
			fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		}
		return 1
	}
	fsys := c.p.fs
	srcs, dst := o.args[:len(o.args)-1], o.args[len(o.args)-1]
	dstDir := false
	if st, err := fsys.Stat(c.abs(dst)); err == nil && st.IsDir() {
		dstDir = true
	} else if len(srcs) > 1 {
		if c.gnu() {
			c.errorf("target '%s' is not a directory", dst)
		} else {
			c.errorf("'%s' is not a directory", dst)
		}
		return 1
	}
	code := 0
	for _, s := range srcs {
		target := c.abs(dst)
		if dstDir {
			target = path.Join(target, path.Base(s))
		}
		src := c.abs(s)
		if _, err := fsys.Lstat(src); err != nil {
			switch {
			case c.gnu():
				c.errorf("cannot stat '%s': %s", s, strerror(errnoOf(err)))
			case move:
				c.errorf("can't stat '%s': %s", s, strerror(errnoOf(err)))
			default:
				c.errorf("can't stat '%s': %s", s, strerror(errnoOf(err)))
			}
			code = 1
			continue
		}
		var err error
		if move {
			err = fsys.Rename(src, target)
			if errnoOf(err) == syscall.EXDEV {
				if err = c.copyPath(src, target, true); err == nil {
					err = fsys.RemoveAll(src)
				}
			}
		} else {
			err = c.copyPath(src, target, o.has('r') || o.has('R') || o.has('a'))
		}
		switch {
		case err == nil:
		case err == errOmitDir && c.gnu():
			c.errorf("-r not specified; omitting directory '%s'", s)
			code = 1
		case err == errOmitDir:
			c.errorf("omitting directory '%s'", s)
			code = 1
		case move && c.gnu():
			c.errorf("cannot move '%s' to '%s': %s", s, dst, strerror(errnoOf(err)))
			code = 1
		case move:
			c.errorf("can't rename '%s': %s", s, strerror(errnoOf(err)))
			code = 1
		case c.gnu():
			c.errorf("cannot create regular file '%s': %s", dst, strerror(errnoOf(err)))
			code = 1
		default:
			c.errorf("can't create '%s': %s", dst, strerror(errnoOf(err)))
			code = 1
		}
	}
	return code
}

func ln(c *call) int {
	o := getopt(c.args[1:], "sfnv", nil)
	if len(o.args) < 2 || !o.has('s') {
		c.errorf("only ln -s TARGET LINK is supported")
		return 1
	}
	link := c.abs(o.args[1])
	if st, err := c.p.fs.Stat(link); err == nil && st.IsDir() {
		link = path.Join(link, path.Base(o.args[0]))
	}
	if o.has('f') {
		c.p.fs.Remove(link)
	}
	if err := c.p.fs.Symlink(o.args[0], link); err != nil {
		if c.gnu() {
			c.errorf("failed to create symbolic link '%s': %s", o.args[1], strerror(errnoOf(err)))
		} else {
			c.errorf("%s: %s", o.args[1], strerror(errnoOf(err)))
		}
		return 1
	}
	return 0
}

func chmod(c *call) int {
	args := c.args[1:]
	if len(args) > 0 && (args[0] == "-R" || args[0] == "-v") {
		args = args[1:]
	}
	if len(args) < 2 {
		fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		return 1
	}
	code := 0
	for _, f := range args[1:] {
		p := c.abs(f)
		st, err := c.p.fs.Stat(p)
		if err == nil {
			mode, ok := parseMode(args[0], st.Mode().Perm())
			if !ok {
				c.errorf("invalid mode '%s'", args[0])
				return 1
			}
			err = c.p.fs.Chmod(p, mode)
		}
		if err != nil {
			if c.gnu() {
				c.errorf("cannot access '%s': %s", f, strerror(errnoOf(err)))
			} else {
				c.errorf("%s: %s", f, strerror(errnoOf(err)))
			}
			code = 1
		}
	}
	return code
}

// parseMode reads an octal mode or a symbolic one (u+x, a-w, +x, go=r).
func parseMode(s string, cur fs.FileMode) (fs.FileMode, bool) {
	if n, err := strconv.ParseUint(s, 8, 32); err == nil {
		return fs.FileMode(n), true
	}
	mode := cur
	for _, clause := range strings.Split(s, ",") {
		i := strings.IndexAny(clause, "+-=")
		if i < 0 {
			return 0, false
		}
		who, op, perms := clause[:i], clause[i], clause[i+1:]
		var mask fs.FileMode
		if who == "" || strings.Contains(who, "a") {
			mask = 0o777
		}
		if strings.Contains(who, "u") {
			mask |= 0o700
		}
		if strings.Contains(who, "g") {
			mask |= 0o070
		}
		if strings.Contains(who, "o") {
			mask |= 0o007
		}
		var bits fs.FileMode
		for _, p := range perms {
			switch p {
			case 'r':
				bits |= 0o444
			case 'w':
				bits |= 0o222
			case 'x':
				bits |= 0o111
			default:
				return 0, false
			}
		}
		bits &= mask
		switch op {
		case '+':
			mode |= bits
		case '-':
			mode &^= bits
		case '=':
			mode = mode&^mask | bits
		}
	}
	return mode, true
}

func ls(c *call) int {
	o := getopt(c.args[1:], "laA1dhRtrSiFpn", map[string]byte{"all": 'a'})
	if o.bad != 0 {
		return c.badOption(o)
	}
	targets := o.args
	if len(targets) == 0 {
		targets = []string{"."}
	}
	fsys := c.p.fs
	code := 0
	var files []string
	var dirs []string
	for _, t := range targets {
		st, err := fsys.Stat(c.abs(t))
		if err != nil {
			if lst, lerr := fsys.Lstat(c.abs(t)); lerr == nil {
				st, err = lst, nil
			}
		}
		if err != nil {
			if c.gnu() {
				c.errorf("cannot access '%s': %s", t, strerror(errnoOf(err)))
				code = 2
			} else {
				c.errorf("%s: %s", t, strerror(errnoOf(err)))
				code = 1
			}
			continue
		}
		if st.IsDir() && !o.has('d') {
			dirs = append(dirs, t)
		} else {
			files = append(files, t)
		}
	}
	sort.Strings(files)
	sort.Strings(dirs)
	long := o.has('l') || o.has('n')
	printEntries := func(dir string, names []string, infos []fs.FileInfo) {
		if long {
			var total int64
			for _, in := range infos {
				if in.Mode().IsRegular() || in.IsDir() {
					total += (in.Size() + 4095) / 4096 * 4
				}
			}
			if dir != "" {
				fmt.Fprintf(c.out, "total %d\n", total)
			}
			for i, in := range infos {
				c.longLine(names[i], path.Join(c.abs(dir), names[i]), in)
			}
			return
		}
		for _, n := range names {
			fmt.Fprintln(c.out, n)
		}
	}
	var infos []fs.FileInfo
	for _, f := range files {
		st, _ := fsys.Lstat(c.abs(f))
		infos = append(infos, st)
	}
	printEntries("", files, infos)
	for i, d := range dirs {
		if len(targets) > 1 {
			if len(files) > 0 || i > 0 {
				fmt.Fprintln(c.out)
			}
			fmt.Fprintf(c.out, "%s:\n", d)
		}
		es, err := fsys.ReadDir(c.abs(d))
		if err != nil {
			c.errorf("%s: %s", d, strerror(errnoOf(err)))
			code = 1
			continue
		}
		var names []string
		var ins []fs.FileInfo
		if o.has('a') {
			for _, dot := range []string{".", ".."} {
				st, _ := fsys.Stat(path.Join(c.abs(d), dot))
				names, ins = append(names, dot), append(ins, st)
			}
		}
		for _, e := range es {
			if strings.HasPrefix(e.Name(), ".") && !o.has('a') && !o.has('A') {
				continue
			}
			in, _ := e.Info()
			names, ins = append(names, e.Name()), append(ins, in)
		}
		printEntries(d, names, ins)
	}
	return code
}

// longLine is one ls -l line: busybox and GNU print the same columns.
func (c *call) longLine(name, full string, in fs.FileInfo) {
	nlink := 1
	if in.IsDir() {
		nlink = 2
	}
	uid, gid := 0, 0
	if st, ok := in.Sys().(*containerfs.Stat); ok {
		uid, gid = st.UID, st.GID
	}
	user, group := c.p.userName(uid), c.p.groupName(gid)
	when := in.ModTime().UTC()
	stamp := when.Format("Jan _2 15:04")
	if c.p.Now().Sub(when) > 182*24*time.Hour || when.After(c.p.Now().Add(time.Hour)) {
		stamp = when.Format("Jan _2  2006")
	}
	line := fmt.Sprintf("%s %4d %-8s %-8s %8d %s %s", modeString(in.Mode()), nlink, user, group, in.Size(), stamp, name)
	if c.gnu() {
		line = fmt.Sprintf("%s %d %s %s %d %s %s", modeString(in.Mode()), nlink, user, group, in.Size(), stamp, name)
	}
	if in.Mode()&fs.ModeSymlink != 0 {
		if t, err := c.p.fs.Readlink(full); err == nil {
			line += " -> " + t
		}
	}
	fmt.Fprintln(c.out, line)
}

func modeString(m fs.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	if m&fs.ModeSticky != 0 {
		b[9] = 't'
	}
	return string(b)
}

// userName and groupName read /etc/passwd and /etc/group.
func (p *Process) userName(uid int) string  { return p.lookupID("/etc/passwd", uid) }
func (p *Process) groupName(gid int) string { return p.lookupID("/etc/group", gid) }

func (p *Process) lookupID(file string, id int) string {
	b, _ := p.fs.ReadFile(file)
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) >= 3 && f[2] == strconv.Itoa(id) {
			return f[0]
		}
	}
	return strconv.Itoa(id)
}

// readAll reads the operands (or stdin) and reports unreadable ones with
// format (given the operand and the error text).
func (c *call) readAll(files []string, busyboxFmt, gnuFmt string) ([][]byte, []string, int) {
	if len(files) == 0 {
		files = []string{"-"}
	}
	var out [][]byte
	var names []string
	code := 0
	for _, f := range files {
		b, err := c.readInput(f)
		if err != nil {
			format := busyboxFmt
			if c.gnu() {
				format = gnuFmt
			}
			c.errorf(format, f, strerror(errnoOf(err)))
			code = 1
			continue
		}
		out = append(out, b)
		names = append(names, f)
	}
	return out, names, code
}

func headTail(c *call, tail bool) int {
	args := c.args[1:]
	// -5 is -n 5.
	if len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && args[0][1] >= '0' && args[0][1] <= '9' {
		args = append([]string{"-n", args[0][1:]}, args[1:]...)
	}
	o := getopt(args, "n:c:fqvF", nil)
	if o.bad != 0 || o.miss != 0 {
		return c.badOption(o)
	}
	n, fromStart := 10, false
	if v := o.last('n'); v != "" {
		if tail && strings.HasPrefix(v, "+") {
			fromStart = true
		}
		k, err := strconv.Atoi(strings.TrimPrefix(v, "+"))
		if err != nil {
			c.errorf("invalid number '%s'", v)
			return 1
		}
		n = k
	}
	datas, names, code := c.readAll(o.args, "can't open '%s': %s", "cannot open '%s' for reading: %s")
	for i, b := range datas {
		if len(names) > 1 {
			if i > 0 {
				fmt.Fprintln(c.out)
			}
			fmt.Fprintf(c.out, "==> %s <==\n", names[i])
		}
		lines := splitLines(b)
		switch {
		case !tail:
			lines = lines[:min(n, len(lines))]
		case fromStart:
			lines = lines[min(max(n-1, 0), len(lines)):]
		default:
			lines = lines[max(len(lines)-n, 0):]
		}
		for _, l := range lines {
			io.WriteString(c.out, l)
		}
	}
	if tail && (o.has('f') || o.has('F')) {
		// Following: nothing more is ever written by another process here,
		// so tail -f waits until killed.
		if err := c.p.sleep(foreverSleep, nil); err != nil {
			return 137
		}
	}
	return code
}

func head(c *call) int { return headTail(c, false) }
func tail(c *call) int { return headTail(c, true) }

func wc(c *call) int {
	o := getopt(c.args[1:], "lwcmL", nil)
	datas, names, code := c.readAll(o.args, "can't open '%s': %s", "%s: %s")
	only := o.has('l') || o.has('w') || o.has('c') || o.has('m')
	var tl, tw, tc int
	for i, b := range datas {
		l, w, ch := bytes.Count(b, []byte("\n")), len(strings.Fields(string(b))), len(b)
		tl, tw, tc = tl+l, tw+w, tc+ch
		c.wcLine(o, only, l, w, ch, names[i], len(o.args) > 0)
	}
	if len(datas) > 1 {
		c.wcLine(o, only, tl, tw, tc, "total", true)
	}
	return code
}

func (c *call) wcLine(o opts, only bool, l, w, ch int, name string, showName bool) {
	var cols []int
	if !only || o.has('l') {
		cols = append(cols, l)
	}
	if !only || o.has('w') {
		cols = append(cols, w)
	}
	if !only || o.has('c') || o.has('m') {
		cols = append(cols, ch)
	}
	var parts []string
	for _, v := range cols {
		if c.gnu() && len(cols) == 1 && !showName {
			parts = append(parts, strconv.Itoa(v))
		} else if c.gnu() {
			parts = append(parts, fmt.Sprintf("%d", v))
		} else {
			parts = append(parts, fmt.Sprintf("%7d", v))
		}
	}
	line := strings.Join(parts, " ")
	if len(cols) == 1 {
		line = strconv.Itoa(cols[0])
	}
	if showName {
		line += " " + name
	}
	fmt.Fprintln(c.out, line)
}

func sortApplet(c *call) int {
	o := getopt(c.args[1:], "rnuk:t:fbo:", nil)
	datas, _, code := c.readAll(o.args, "can't open '%s': %s", "cannot read: %s: %s")
	var lines []string
	for _, b := range datas {
		for _, l := range splitLines(b) {
			lines = append(lines, strings.TrimSuffix(l, "\n"))
		}
	}
	key := func(s string) string {
		if k := o.last('k'); k != "" {
			n, _ := strconv.Atoi(strings.SplitN(k, ",", 2)[0])
			var f []string
			if t := o.last('t'); t != "" {
				f = strings.Split(s, t)
			} else {
				f = strings.Fields(s)
			}
			if n >= 1 && n <= len(f) {
				return strings.Join(f[n-1:], " ")
			}
			return ""
		}
		return s
	}
	less := func(a, b string) bool {
		ka, kb := key(a), key(b)
		if o.has('f') {
			ka, kb = strings.ToLower(ka), strings.ToLower(kb)
		}
		if o.has('n') {
			na, _ := strconv.ParseFloat(leadingNumber(ka), 64)
			nb, _ := strconv.ParseFloat(leadingNumber(kb), 64)
			if na != nb {
				return na < nb
			}
		}
		return ka < kb
	}
	sort.SliceStable(lines, func(i, j int) bool {
		if o.has('r') {
			return less(lines[j], lines[i])
		}
		return less(lines[i], lines[j])
	})
	var prev *string
	for i := range lines {
		if o.has('u') && prev != nil && key(*prev) == key(lines[i]) {
			continue
		}
		fmt.Fprintln(c.out, lines[i])
		prev = &lines[i]
	}
	return code
}

func leadingNumber(s string) string {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || end == 0 && s[end] == '-') {
		end++
	}
	return s[:end]
}

func uniq(c *call) int {
	o := getopt(c.args[1:], "cdui", nil)
	datas, _, code := c.readAll(o.args[:min(len(o.args), 1)], "can't open '%s': %s", "%s: %s")
	var lines []string
	for _, b := range datas {
		for _, l := range splitLines(b) {
			lines = append(lines, strings.TrimSuffix(l, "\n"))
		}
	}
	for i := 0; i < len(lines); {
		j := i + 1
		for j < len(lines) && (lines[j] == lines[i] || o.has('i') && strings.EqualFold(lines[j], lines[i])) {
			j++
		}
		n := j - i
		if o.has('d') && n == 1 || o.has('u') && n > 1 {
			i = j
			continue
		}
		if o.has('c') {
			fmt.Fprintf(c.out, "%7d %s\n", n, lines[i])
		} else {
			fmt.Fprintln(c.out, lines[i])
		}
		i = j
	}
	return code
}
