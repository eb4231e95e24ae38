package hosts

import (
	"strings"
	"testing"
)

// TestAccounts: the hosts have Ubuntu's /etc/passwd and /etc/group, so
// ls -l names root as the owner and id prints names, as on a Vagrant box.
func TestAccounts(t *testing.T) {
	_, hs := newCluster(t)
	out, errs, code := run(t, hs, "m", "ls -l /etc/kubernetes/admin.conf; id; grep ^vagrant: /etc/passwd")
	lines := strings.Split(out, "\n")
	if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "-rw------- 1 root root ") ||
		lines[1] != "uid=0(root) gid=0(root) groups=0(root)" || lines[2] != "vagrant:x:1000:1000:vagrant,,,:/home/vagrant:/bin/bash" {
		t.Errorf("code %d, stderr %q, got\n%s", code, errs, out)
	}
}
