package practice

import (
	"os"
	"path/filepath"
	"strings"

	"kubesim/internal/manifests"
)

// catalogFiles replaces kubectl's -f URL arguments that name a manifest of
// kubesim's catalog (flannel's kube-flannel.yml) with a copy of it in the
// Env's directory, so `kubectl apply -f https://…/kube-flannel.yml` works
// at the prompt with no network. Other arguments are left as they are.
func (e *Env) catalogFiles(args []string) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		url, prefix := "", ""
		switch {
		case (a == "-f" || a == "--filename") && i+1 < len(out):
			continue
		case i > 0 && (out[i-1] == "-f" || out[i-1] == "--filename"):
			url = a
		case strings.HasPrefix(a, "--filename="):
			url, prefix = strings.TrimPrefix(a, "--filename="), "--filename="
		case strings.HasPrefix(a, "-f=") || (strings.HasPrefix(a, "-f") && strings.Contains(a, "://")):
			url = strings.TrimPrefix(strings.TrimPrefix(a, "-f"), "=")
			prefix = "-f"
		}
		m, ok := manifests.Lookup(url)
		if !ok {
			continue
		}
		dir := filepath.Join(e.dir, "manifests")
		p := filepath.Join(dir, filepath.Base(url))
		if os.MkdirAll(dir, 0o700) != nil || os.WriteFile(p, []byte(m), 0o600) != nil {
			continue
		}
		out[i] = prefix + p
	}
	return out
}
