package chain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// releaseDates are the GA dates of Kubernetes minors (kubernetes.io release
// announcements).
var releaseDates = map[int]string{
	20: "2020-12-08", 21: "2021-04-08", 22: "2021-08-04", 23: "2021-12-07", 24: "2022-05-03",
	25: "2022-08-23", 26: "2022-12-08", 27: "2023-04-11", 28: "2023-08-15", 29: "2023-12-13",
	30: "2024-04-17", 31: "2024-08-13", 32: "2024-12-11", 33: "2025-04-23", 34: "2025-08-27",
	35: "2025-12-17",
}

// releaseDate is when a minor was released; before 1.20, 2020-01-01; after
// the table, its last date.
func releaseDate(minor int) time.Time {
	s, ok := releaseDates[minor]
	switch {
	case ok:
	case minor < 20:
		s = "2020-01-01"
	default:
		s = releaseDates[35]
	}
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

// versionInfo is what the CRI Version call reports.
type versionInfo struct {
	name       string // RuntimeName
	version    string // RuntimeVersion as the runtime reports it ("v1.6.20")
	apiVersion string // RuntimeApiVersion
}

// parseMinor returns the minor of "v1.27.1" / "1.27" (major must be 1).
func parseMinor(v string) (int, error) {
	s := strings.TrimPrefix(v, "v")
	parts := strings.Split(s, ".")
	if len(parts) < 2 || parts[0] != "1" {
		return 0, fmt.Errorf("invalid Kubernetes version %q", v)
	}
	m, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0, fmt.Errorf("invalid Kubernetes version %q", v)
	}
	return m, nil
}

func trimV(v string) string { return strings.TrimPrefix(v, "v") }

// runtimeVersionFor picks the runtime version a node of that Kubernetes minor
// typically ran. containerd 1.6.20 for the v1.27 lecture cluster is from the
// course; the other pairings follow each runtime's support matrix of the time
// [guess for the exact patch].
//   - containerd reports "v1.6.20" through CRI; the kubelet parses it as
//     semver, so the node shows "containerd://1.6.20".
//   - dockershim reports the Docker Engine version ("20.10.21") and the
//     Engine API version as RuntimeApiVersion.
//   - CRI-O's minor follows Kubernetes' (cri-o.io).
func runtimeVersionFor(kind Kind, minor int) versionInfo {
	switch kind {
	case Docker:
		switch {
		case minor >= 20:
			return versionInfo{"docker", "20.10.21", "1.41.0"}
		case minor >= 16:
			return versionInfo{"docker", "19.3.15", "1.40.0"}
		default:
			return versionInfo{"docker", "18.9.9", "1.39.0"}
		}
	case CRIDockerd:
		if minor >= 30 {
			return versionInfo{"docker", "26.1.4", "v1"}
		}
		return versionInfo{"docker", "24.0.7", "v1"}
	case CRIO:
		return versionInfo{"cri-o", fmt.Sprintf("1.%d.1", minor), "v1"}
	default:
		switch {
		case minor >= 33:
			return versionInfo{"containerd", "v2.0.5", "v1"}
		case minor >= 30:
			return versionInfo{"containerd", "v1.7.22", "v1"}
		case minor >= 28:
			return versionInfo{"containerd", "v1.7.2", "v1"}
		case minor >= 24:
			return versionInfo{"containerd", "v1.6.20", "v1"}
		case minor >= 20:
			return versionInfo{"containerd", "v1.5.9", "v1"}
		default:
			return versionInfo{"containerd", "v1.4.13", "v1alpha2"}
		}
	}
}

// sandboxImageFor is the pause image kubeadm of that minor uses
// (cmd/kubeadm/app/constants PauseVersion) [guess for the older rows].
func sandboxImageFor(minor int) string {
	switch {
	case minor >= 34:
		return "registry.k8s.io/pause:3.10.1"
	case minor >= 31:
		return "registry.k8s.io/pause:3.10"
	case minor >= 26:
		return "registry.k8s.io/pause:3.9"
	case minor == 25:
		return "registry.k8s.io/pause:3.8"
	case minor == 24:
		return "registry.k8s.io/pause:3.7"
	case minor == 23:
		return "registry.k8s.io/pause:3.6"
	case minor >= 21:
		return "registry.k8s.io/pause:3.5"
	default:
		return "registry.k8s.io/pause:3.2"
	}
}

// signalNumber maps signal names to the numbers runc kill receives.
func signalNumber(name string) int {
	switch name {
	case "SIGINT":
		return 2
	case "SIGQUIT":
		return 3
	case "SIGKILL":
		return 9
	case "SIGWINCH":
		return 28
	default:
		return 15
	}
}

// ReleaseDate is when a Kubernetes version's minor was released (GA): a
// cluster of that version cannot run images published much before it was
// current, so the cluster uses it as its catalog's earliest date.
func ReleaseDate(kubernetesVersion string) time.Time {
	minor, _ := parseMinor(kubernetesVersion)
	return releaseDate(minor)
}
