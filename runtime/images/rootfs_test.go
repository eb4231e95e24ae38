package images

import (
	"testing"
	"time"

	"kubesim/runtime/containerfs"
)

func TestRootFS(t *testing.T) {
	clock := func() time.Time { return start }
	tests := []struct {
		ref, path, want string // want "" means: absent
	}{
		{"busybox", "/bin/sh", "exists"},
		{"busybox", "/etc/os-release", ""},
		{"alpine", "/etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.17.3\nPRETTY_NAME=\"Alpine Linux v3.17\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n"},
		{"alpine", "/etc/alpine-release", "3.17.3\n"},
		{"nginx", "/bin/sh", "exists"},
		{"nginx", "/usr/bin/ps", ""},
		{"nginx", "/etc/nginx/conf.d/default.conf", "exists"},
		{"httpd:2.4", "/usr/local/apache2/htdocs/index.html", "<html><body><h1>It works!</h1></body></html>\n"},
		{"registry.k8s.io/pause:3.9", "/bin/sh", ""},
		{"registry.k8s.io/pause:3.9", "/pause", "exists"},
	}
	for _, tt := range tests {
		img := Default().MustResolve(tt.ref)
		f := containerfs.New(img.RootFS(), clock)
		b, err := f.ReadFile(tt.path)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%s %s exists", tt.ref, tt.path)
		case tt.want != "" && err != nil:
			t.Errorf("%s %s: %v", tt.ref, tt.path, err)
		case tt.want != "" && tt.want != "exists" && string(b) != tt.want:
			t.Errorf("%s %s = %q", tt.ref, tt.path, b)
		}
	}
	nginx := Default().MustResolve("nginx")
	if page, _ := containerfs.New(nginx.RootFS(), clock).ReadFile("/usr/share/nginx/html/index.html"); len(page) != 615 {
		t.Errorf("nginx %s index.html is %d bytes, want 615", nginx.Version, len(page))
	}
	if nginx.RootFS() != Default().MustResolve("nginx:latest").RootFS() {
		t.Errorf("two containers of one image do not share its layer")
	}
}
