package shell

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/runtime/containerfs"
)

var t0 = time.Date(2023, 5, 2, 10, 0, 0, 0, time.UTC)

var testApplets = []string{"sh", "ash", "awk", "base64", "cat", "ls", "touch", "mkdir", "rm", "cp", "mv", "grep", "sed", "head", "tail", "wc",
	"sort", "uniq", "env", "printenv", "hostname", "id", "whoami", "date", "sleep", "test", "[", "true", "false", "kill",
	"ps", "df", "mount", "tar", "echo", "printf", "wget", "nslookup", "nc", "ping", "ln", "chmod", "tee", "stty", "tty"}

// layerFor is a small busybox or Debian image.
func layerFor(f Flavor) *containerfs.Layer {
	es := []containerfs.Entry{
		containerfs.FileEntry("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"),
		containerfs.FileEntry("/etc/group", "root:x:0:\nwheel:x:10:root\n"),
		containerfs.DirEntry("/tmp"), containerfs.DirEntry("/root"),
		containerfs.FileEntry("/usr/share/nginx/html/index.html", "<h1>hi</h1>\n"),
	}
	dir := "/bin/"
	if f == Debian {
		dir = "/usr/bin/"
		es = append(es, containerfs.SymlinkEntry("/bin", "usr/bin"), containerfs.ExecEntry("/usr/bin/dash", ""), containerfs.SymlinkEntry("/usr/bin/sh", "dash"), containerfs.ExecEntry("/usr/bin/bash", ""))
	} else {
		es = append(es, containerfs.ExecEntry("/bin/busybox", ""))
	}
	for _, a := range testApplets {
		if f == Debian && (a == "sh" || a == "wget" || a == "nslookup" || a == "ps") {
			continue
		}
		es = append(es, containerfs.ExecEntry(dir+a, ""))
	}
	return containerfs.NewLayer(es)
}

type result struct {
	Out, Err string
	Code     int
}

func runIn(f *containerfs.FS, flavor Flavor, argv ...string) result {
	var out, errOut strings.Builder
	code := Run(Config{FS: f, Flavor: flavor, Hostname: "sh1", Start: t0, Stdout: &out, Stderr: &errOut, Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}, argv, time.Hour)
	return result{out.String(), errOut.String(), code}
}

func newFS(flavor Flavor) *containerfs.FS {
	now := t0
	return containerfs.New(layerFor(flavor), func() time.Time { return now })
}

func TestBusyboxCommands(t *testing.T) {
	tests := []struct {
		script string
		want   result
	}{
		{"echo a > /tmp/y; cat /tmp/y", result{"a\n", "", 0}},
		{"cat /tmp/y", result{"", "cat: can't open '/tmp/y': No such file or directory\n", 1}},
		{"foo", result{"", "sh: foo: not found\n", 127}},
		{"rm x", result{"", "rm: can't remove 'x': No such file or directory\n", 1}},
		{"rm -f x; echo $?", result{"0\n", "", 0}},
		{"touch /tmp/h; ls /tmp", result{"h\n", "", 0}},
		{"mkdir /tmp/d; mkdir /tmp/d", result{"", "mkdir: can't create directory '/tmp/d': File exists\n", 1}},
		{"mkdir -p /tmp/a/b/c && ls /tmp/a/b", result{"c\n", "", 0}},
		{"echo x > /nope/f", result{"", "sh: can't create /nope/f: nonexistent directory\n", 1}},
		{"printf 'b\\na\\nb\\n' | sort | uniq -c", result{"      1 a\n      2 b\n", "", 0}},
		{"printf 'one\\nTwo\\nthree\\n' > /tmp/f; grep -i two /tmp/f; grep -c o /tmp/f; grep -v o /tmp/f; grep -q zz /tmp/f || echo none", result{"Two\n2\nthree\nnone\n", "", 0}},
		{"grep -E 't(wo|hree)' /tmp/nope", result{"", "grep: /tmp/nope: No such file or directory\n", 2}},
		{"echo hello world | sed 's/o/0/g'; echo abc | sed -n 's/b/B/p'", result{"hell0 w0rld\naBc\n", "", 0}},
		{"printf '1\\n2\\n3\\n' > /tmp/n; sed -i 's/2/two/' /tmp/n; cat /tmp/n; head -n 1 /tmp/n; tail -1 /tmp/n; wc -l /tmp/n", result{"1\ntwo\n3\n1\n3\n3 /tmp/n\n", "", 0}},
		{"cp /usr/share/nginx/html/index.html /tmp/i && mv /tmp/i /tmp/j && cat /tmp/j && ls /tmp", result{"<h1>hi</h1>\nj\n", "", 0}},
		{"cd /nope", result{"", "sh: cd: can't cd to /nope: No such file or directory\n", 2}},
		{"cd /usr/share && pwd && ls", result{"/usr/share\nnginx\n", "", 0}},
		{"hostname; whoami; id", result{"sh1\nroot\nuid=0(root) gid=0(root) groups=0(root),10(wheel)\n", "", 0}},
		{"date; sleep 90; date +%H:%M:%S", result{"Tue May  2 10:00:00 UTC 2023\n10:01:30\n", "", 0}},
		{"sleep x", result{"", "sleep: invalid number 'x'\n", 1}},
		{"exit 3", result{"", "", 3}},
		{"[ -f /etc/passwd ] && test -d /tmp && echo yes", result{"yes\n", "", 0}},
		{"type cat; command -v ls", result{"cat is /bin/cat\n/bin/ls\n", "", 0}},
		{"wget -qO- http://web", result{"", "wget: bad address 'web'\n", 1}},
		{"ls /etc /tmp/zz", result{"/etc:\ngroup\npasswd\n", "ls: /tmp/zz: No such file or directory\n", 1}},
		{"echo one > /tmp/a; echo two >> /tmp/a; cat < /tmp/a | wc -l", result{"2\n", "", 0}},
		{"cat < /tmp/none", result{"", "sh: can't open /tmp/none: no such file\n", 1}},
		{"env | grep HOME", result{"HOME=/root\n", "", 0}},
		{"x=1; while [ $x -lt 4 ]; do echo $x; x=$((x+1)); done", result{"1\n2\n3\n", "", 0}},
		{"for f in a b; do touch /tmp/$f; done; ls /tmp/*", result{"/tmp/a\n/tmp/b\n", "", 0}},
		{"echo $(echo nested) `hostname`", result{"nested sh1\n", "", 0}},
		{"sh -c 'echo inner; exit 4'; echo $?", result{"inner\n4\n", "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			got := runIn(newFS(Busybox), Busybox, "sh", "-c", tt.script)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDebianCommands(t *testing.T) {
	tests := []struct {
		script string
		want   result
	}{
		{"foo", result{"", "sh: 1: foo: not found\n", 127}},
		{"echo a\nbar", result{"a\n", "sh: 2: bar: not found\n", 127}},
		{"cat /nope", result{"", "cat: /nope: No such file or directory\n", 1}},
		{"rm /nope", result{"", "rm: cannot remove '/nope': No such file or directory\n", 1}},
		{"ls /nope", result{"", "ls: cannot access '/nope': No such file or directory\n", 2}},
		{"echo x > /nope/f", result{"", "sh: 1: cannot create /nope/f: Directory nonexistent\n", 1}},
		{"mkdir /tmp /tmp/x", result{"", "mkdir: cannot create directory '/tmp': File exists\n", 1}},
		{"cd nope", result{"", "sh: 1: cd: can't cd to nope\n", 2}},
		{"touch /nope/x", result{"", "touch: cannot touch '/nope/x': No such file or directory\n", 1}},
		{"ps", result{"", "sh: 1: ps: not found\n", 127}},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			got := runIn(newFS(Debian), Debian, "sh", "-c", tt.script)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadOnlyMount(t *testing.T) {
	f := newFS(Busybox)
	v := containerfs.NewVolume(f.Now, 0o755)
	v.WriteFile("/key", []byte("v"), 0o644)
	f.Mount("/etc/config", v, "/", true)
	got := runIn(f, Busybox, "sh", "-c", "echo x > /etc/config/x; touch /etc/config/y; rm /etc/config/key; cat /etc/config/key")
	want := result{"v", "sh: can't create /etc/config/x: Read-only file system\ntouch: /etc/config/y: Read-only file system\nrm: can't remove '/etc/config/key': Read-only file system\n", 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestExecDirectly(t *testing.T) {
	f := newFS(Busybox)
	for _, tt := range []struct {
		argv []string
		want result
	}{
		{[]string{"echo", "hello", "world"}, result{"hello world\n", "", 0}},
		{[]string{"touch", "/tmp/t"}, result{"", "", 0}},
		{[]string{"ls", "-1", "/tmp"}, result{"t\n", "", 0}},
		{[]string{"/bin/busybox", "cat", "/etc/group"}, result{"root:x:0:\nwheel:x:10:root\n", "", 0}},
	} {
		if diff := cmp.Diff(tt.want, runIn(f, Busybox, tt.argv...)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.argv, diff)
		}
	}
}

func TestTarRoundTrip(t *testing.T) {
	a, b := newFS(Busybox), newFS(Busybox)
	runIn(a, Busybox, "sh", "-c", "mkdir -p /tmp/d/e; echo one > /tmp/d/f; echo two > /tmp/d/e/g")
	var archive strings.Builder
	var errOut strings.Builder
	code := Run(Config{FS: a, Start: t0, Stdout: &archive, Stderr: &errOut}, []string{"tar", "cf", "-", "/tmp/d"}, time.Minute)
	if code != 0 || errOut.String() != "tar: removing leading '/' from member names\n" {
		t.Fatalf("tar c: %d %q", code, errOut.String())
	}
	var out strings.Builder
	code = Run(Config{FS: b, Start: t0, Stdin: strings.NewReader(archive.String()), Stdout: &out, Stderr: &out}, []string{"tar", "-xmf", "-", "-C", "/root"}, time.Minute)
	if code != 0 {
		t.Fatalf("tar x: %d %s", code, out.String())
	}
	got := runIn(b, Busybox, "sh", "-c", "cat /root/tmp/d/f /root/tmp/d/e/g")
	if got.Out != "one\ntwo\n" {
		t.Errorf("extracted: %+v", got)
	}
}

func TestLsLong(t *testing.T) {
	f := newFS(Busybox)
	got := runIn(f, Busybox, "sh", "-c", "echo abc > /tmp/x; ln -s x /tmp/l; ls -l /tmp; ls -a /tmp")
	want := "total 4\n" +
		"lrwxrwxrwx    1 root     root            1 May  2 10:00 l -> x\n" +
		"-rw-r--r--    1 root     root            4 May  2 10:00 x\n" +
		".\n..\nl\nx\n"
	if diff := cmp.Diff(want, got.Out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

type fakeNet struct{}

func (fakeNet) Resolve(host string) (string, error) {
	if host == "web" {
		return "10.96.0.20", nil
	}
	return "", ErrNoHost
}

func (fakeNet) HTTP(ip string, port int32, method, path string, h map[string]string) (int, map[string]string, []byte, error) {
	if port != 80 {
		return 0, nil, nil, ErrRefused
	}
	return 200, nil, []byte("<html>ok</html>\n"), nil
}

func TestWget(t *testing.T) {
	var out, errOut strings.Builder
	code := Run(Config{FS: newFS(Busybox), Start: t0, Net: fakeNet{}, Stdout: &out, Stderr: &errOut},
		[]string{"sh", "-c", "wget -qO- http://web; wget -q -O - web:81; wget -O /tmp/p web && cat /tmp/p"}, time.Minute)
	want := result{"<html>ok</html>\n<html>ok</html>\n", "wget: can't connect to remote host (10.96.0.20): Connection refused\nConnecting to web (10.96.0.20:80)\nsaving to '/tmp/p'\n'/tmp/p' saved\n", 0}
	if diff := cmp.Diff(want, result{out.String(), errOut.String(), code}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func ExampleRun() {
	now := t0
	f := containerfs.New(layerFor(Busybox), func() time.Time { return now })
	var out strings.Builder
	code := Run(Config{FS: f, Start: t0, Stdout: &out, Stderr: &out}, []string{"sh", "-c", "echo a > /tmp/y; cat /tmp/y; cat /tmp/z"}, time.Minute)
	fmt.Print(out.String(), code, "\n")
	// Output:
	// a
	// cat: can't open '/tmp/z': No such file or directory
	// 1
}
