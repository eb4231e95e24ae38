package images

import "testing"

// FuzzShell: no script a learner types makes the shell panic or hang.
func FuzzShell(f *testing.F) {
	for _, s := range []string{
		"echo hi; sleep 3", "while true; do echo $(date); sleep 1; done", "for i in 1 2; do echo $i; done",
		"i=0; echo $((i+1))", "echo $((", "echo \"unterminated", "$(", "for x", "while false; do :; done",
		"cd ..; ls; cat /etc/hostname 2>&1 >/dev/null", "echo ${", "exit 300", "a=$((1/0))", "echo $((*))",
		"wget -qO-", "nslookup", "sleep -1", "sleep 1e400", "echo a | | b", "&& echo", "; ;",
	} {
		f.Add(s)
	}
	img := Default().MustResolve("busybox")
	f.Fuzz(func(t *testing.T, script string) {
		p, err := img.Start(ProcessSpec{Command: []string{"sh", "-c", script}, Start: start})
		if err != nil {
			return
		}
		p.LogsUntil(10 * 1e9)
		p.Exec([]string{"sh", "-c", script})
	})
}
