package kubectl

import (
	"reflect"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	_ "unsafe" // go:linkname

	"k8s.io/component-base/version"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
)

// kubectl's client version lives in component-base/version's variables,
// which release builds set with the linker (-X). `go run` and `go build`
// of kubesim cannot, so without this kubectl says
// "v0.0.0-master+$Format:%H$" and `kubectl version` fails on the skew
// check. They are set here, at init, to the release the built-in
// k8s.io/kubectl module belongs to (v0.37.2 → v1.37.2).

//go:linkname gitVersion k8s.io/component-base/version.gitVersion
var gitVersion string

//go:linkname gitMajor k8s.io/component-base/version.gitMajor
var gitMajor string

//go:linkname gitMinor k8s.io/component-base/version.gitMinor
var gitMinor string

//go:linkname gitCommit k8s.io/component-base/version.gitCommit
var gitCommit string

//go:linkname gitTreeState k8s.io/component-base/version.gitTreeState
var gitTreeState string

// clientVersion is the release of the k8s.io/kubectl module in the build.
var clientVersion = moduleRelease()

func init() {
	if clientVersion == "" {
		return
	}
	gitVersion = clientVersion
	parts := strings.SplitN(strings.TrimPrefix(clientVersion, "v"), ".", 3)
	if len(parts) >= 2 {
		gitMajor, gitMinor = parts[0], parts[1]
	}
	// Which commit of kubernetes the module was cut from is not in the
	// build; clean is what a release build says.
	gitCommit, gitTreeState = "", "clean"
	// dynamic.go copied gitVersion at its own init; it validates the new
	// value against the one just set.
	_ = version.SetDynamicVersion(clientVersion)
}

// moduleRelease maps the k8s.io/kubectl module version v0.X.Y of the build
// to its Kubernetes release v1.X.Y ("" when the build does not say). The
// build info lists it in binaries; test binaries have no dependency list,
// so the module cache path kubectl's code was compiled from
// (…/k8s.io/kubectl@v0.37.2/pkg/cmd/cmd.go, also under -trimpath) is the
// second source.
func moduleRelease() string {
	v := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "k8s.io/kubectl" {
				v = d.Version
				if d.Replace != nil && d.Replace.Version != "" {
					v = d.Replace.Version
				}
			}
		}
	}
	if v == "" {
		pc := reflect.ValueOf(kubectlcmd.NewDefaultKubectlCommand).Pointer()
		if f := goruntime.FuncForPC(pc); f != nil {
			file, _ := f.FileLine(pc)
			if _, after, ok := strings.Cut(file, "k8s.io/kubectl@"); ok {
				v, _, _ = strings.Cut(after, "/")
			}
		}
	}
	if rest, ok := strings.CutPrefix(v, "v0."); ok {
		return "v1." + rest
	}
	return ""
}

// ClientVersion is the embedded kubectl's version (v1.37.2 for the
// k8s.io/kubectl v0.37.2 module), or "" when the build does not say.
func ClientVersion() string { return clientVersion }
