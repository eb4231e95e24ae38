package hosts

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The node's Kubernetes packages, as apt and dpkg keep them: the kubeadm,
// kubelet and kubectl the node was built with (held, as the install guide
// says) and their dependencies cri-tools and kubernetes-cni, from the
// pkgs.k8s.io repository of one minor release named in
// /etc/apt/sources.list.d/kubernetes.list. Everything lives in the host's
// files, as on a real node: dpkg's database (/var/lib/dpkg/status, holds
// included), apt's auto-installed marks (/var/lib/apt/extended_states) and
// the repository index `apt-get update` fetched (/var/lib/apt/lists). The
// packages change what the node runs only as on a real one: a new kubeadm
// binary at once, a new kubelet when its service restarts (units.go).

const (
	dpkgStatus     = "/var/lib/dpkg/status"
	extendedStates = "/var/lib/apt/extended_states"
	aptLists       = "/var/lib/apt/lists"
	k8sSourceList  = "/etc/apt/sources.list.d/kubernetes.list"
	k8sKeyring     = "/etc/apt/keyrings/kubernetes-apt-keyring.gpg"
	// k8sCDN is where pkgs.k8s.io redirects apt; apt prints it.
	k8sCDN = "https://prod-cdn.packages.k8s.io/repositories/isv:/kubernetes:/core:/stable:/v1.%d/deb"
)

// kubePackages are the packages the repository holds, in dpkg's order.
var kubePackages = []string{"cri-tools", "kubeadm", "kubectl", "kubelet", "kubernetes-cni"}

// pkgInfo is what dpkg shows of a package beyond its version.
var pkgInfo = map[string]struct {
	desc    string
	section string
	debKB   int // the .deb's size, kB
	instKB  int // installed size, kB
}{
	"cri-tools":      {"Command-line utility for interacting with a container runtime", "admin", 19600, 58240},
	"kubeadm":        {"Command-line utility for administering a Kubernetes cluster", "admin", 10100, 49410},
	"kubectl":        {"Command-line utility for interacting with a Kubernetes cluster", "admin", 10400, 49870},
	"kubelet":        {"Node agent for Kubernetes clusters", "admin", 19600, 104600},
	"kubernetes-cni": {"Binaries required to provision kubernetes container networking", "admin", 27600, 130500},
}

// repoPatches are the last patch releases pkgs.k8s.io holds per minor, and
// the patches whose package was rebuilt (revision -2.1 instead of -1.1).
var repoPatches = map[int]struct {
	last    int
	rebuilt []int
}{
	27: {16, []int{13}},
	28: {15, []int{9, 14}},
	29: {15, []int{4}},
}

// repoMinors are the minors pkgs.k8s.io serves.
const firstRepoMinor, lastRepoMinor = 24, 33

// kubeVersions lists the kubeadm/kubelet/kubectl package versions of a
// minor's repository, newest first. A minor whose patch list is not
// recorded holds its patches up to atLeast (the cluster's own).
func kubeVersions(minor, atLeast int) []string {
	last, rebuilt := atLeast, []int(nil)
	if r, ok := repoPatches[minor]; ok {
		last, rebuilt = r.last, r.rebuilt
	}
	out := make([]string, 0, last+1)
	for p := last; p >= 0; p-- {
		rev := "1.1"
		for _, r := range rebuilt {
			if r == p {
				rev = "2.1"
			}
		}
		out = append(out, fmt.Sprintf("1.%d.%d-%s", minor, p, rev))
	}
	return out
}

// repoVersions lists a package's versions in a minor's repository, newest
// first.
func repoVersions(name string, minor, atLeast int) []string {
	switch name {
	case "cri-tools":
		if minor == 27 {
			return []string{"1.27.1-1.1"}
		}
		return []string{fmt.Sprintf("1.%d.0-1.1", minor)}
	case "kubernetes-cni":
		return []string{cniVersion(minor)}
	}
	return kubeVersions(minor, atLeast)
}

func cniVersion(minor int) string {
	switch {
	case minor <= 28:
		return "1.2.0-2.1"
	case minor == 29:
		return "1.3.0-1.1"
	case minor == 30:
		return "1.4.0-1.1"
	case minor == 31:
		return "1.5.1-1.1"
	}
	return "1.6.0-1.1"
}

// depends is a package's dependency on the others of the repository: the
// package and the least version it needs.
func depends(name, version string) (string, string) {
	minor := minorOf(version)
	switch name {
	case "kubeadm":
		return "cri-tools", fmt.Sprintf("1.%d.0", minor)
	case "kubelet":
		v, _, _ := strings.Cut(cniVersion(minor), "-")
		return "kubernetes-cni", v
	}
	return "", ""
}

// pkgState is one package in dpkg's database.
type pkgState struct {
	version string // "" not installed
	hold    bool
	auto    bool // installed as a dependency (apt's extended_states)
}

// pkgDB is the node's package state.
type pkgDB struct {
	pkgs map[string]*pkgState
	// listMinor is the minor whose repository index apt holds (0: none).
	listMinor int
	// atLeast is the cluster's own patch, for minors without a recorded
	// patch list.
	atLeast int
	boot    int // the cluster's minor
}

// packageVersion is the package version of a Kubernetes release
// ("v1.27.1" → "1.27.1-1.1").
func packageVersion(release string) string {
	minor, patch := minorOf(release), patchOf(release)
	for _, v := range kubeVersions(minor, patch) {
		if strings.HasPrefix(v, fmt.Sprintf("1.%d.%d-", minor, patch)) {
			return v
		}
	}
	return strings.TrimPrefix(release, "v") + "-1.1"
}

// release is a package version's Kubernetes release ("1.28.15-1.1" →
// "v1.28.15").
func release(pkgVersion string) string {
	v, _, _ := strings.Cut(pkgVersion, "-")
	return "v" + v
}

// patchOf is a version's patch number (v1.28.15, 1.28.15-1.1 → 15).
func patchOf(v string) int {
	var major, minor, patch int
	fmt.Sscanf(strings.TrimPrefix(v, "v"), "%d.%d.%d", &major, &minor, &patch)
	return patch
}

// writePackages lays out the packages the node was built with: the
// cluster's release from the repository of its minor, apt's index of that
// repository fetched. Called with the cluster lock held; a machine whose
// packages are there already (kubeadm init or join on a bare machine lays
// the files out again) keeps them.
func (h *Host) writePackages() {
	if _, err := h.fs.Stat(dpkgStatus); err == nil {
		return
	}
	v := h.cluster().Spec.KubernetesVersion
	minor := minorOf(v)
	h.fs.MkdirAll("/etc/apt/keyrings", 0o755)
	h.fs.MkdirAll("/etc/apt/sources.list.d", 0o755)
	h.fs.MkdirAll(aptLists, 0o755)
	h.fs.MkdirAll("/var/lib/dpkg", 0o755)
	h.write(k8sKeyring, pemBlock("PGP PUBLIC KEY BLOCK", "pkgs.k8s.io", 9), 0o644)
	h.write(k8sSourceList, sourceLine(minor), 0o644)
	db := &pkgDB{pkgs: map[string]*pkgState{}, listMinor: minor, atLeast: patchOf(v), boot: minor}
	pv := packageVersion(v)
	for _, n := range []string{"kubeadm", "kubectl", "kubelet"} {
		db.pkgs[n] = &pkgState{version: pv, hold: true}
	}
	db.pkgs["cri-tools"] = &pkgState{version: repoVersions("cri-tools", minor, 0)[0], auto: true}
	db.pkgs["kubernetes-cni"] = &pkgState{version: cniVersion(minor), auto: true}
	h.savePackages(db)
}

func sourceLine(minor int) string {
	return fmt.Sprintf("deb [signed-by=%s] https://pkgs.k8s.io/core:/stable:/v1.%d/deb/ /\n", k8sKeyring, minor)
}

// listFile is apt's name for a minor's index file.
func listFile(minor int, kind string) string {
	return fmt.Sprintf("%s/pkgs.k8s.io_core:_stable:_v1.%d_deb_%s", aptLists, minor, kind)
}

// loadPackages reads the package state from the host's files.
func (h *Host) loadPackages() *pkgDB {
	v := h.cluster().Spec.KubernetesVersion
	db := &pkgDB{pkgs: map[string]*pkgState{}, atLeast: patchOf(v), boot: minorOf(v)}
	b, _ := h.fs.ReadFile(dpkgStatus)
	for _, st := range stanzas(string(b)) {
		name := st["Package"]
		if name == "" {
			continue
		}
		ps := &pkgState{}
		status := strings.Fields(st["Status"])
		if len(status) == 3 && status[2] == "installed" {
			ps.version = st["Version"]
		}
		ps.hold = len(status) > 0 && status[0] == "hold"
		db.pkgs[name] = ps
	}
	b, _ = h.fs.ReadFile(extendedStates)
	for _, st := range stanzas(string(b)) {
		if ps := db.pkgs[st["Package"]]; ps != nil && st["Auto-Installed"] == "1" {
			ps.auto = true
		}
	}
	if ents, err := h.fs.ReadDir(aptLists); err == nil {
		for _, e := range ents {
			var m int
			if _, err := fmt.Sscanf(e.Name(), "pkgs.k8s.io_core:_stable:_v1.%d_deb_Packages", &m); err == nil {
				db.listMinor = m
			}
		}
	}
	return db
}

// savePackages writes dpkg's database, apt's marks and apt's index.
func (h *Host) savePackages(db *pkgDB) {
	var status, ext strings.Builder
	for _, n := range sortedKeys(db.pkgs) {
		ps := db.pkgs[n]
		want, state := "install", "installed"
		if ps.hold {
			want = "hold"
		}
		if ps.version == "" {
			if !ps.hold {
				continue
			}
			state = "not-installed"
		}
		fmt.Fprintf(&status, "Package: %s\nStatus: %s ok %s\n", n, want, state)
		if ps.version != "" {
			info := pkgInfo[n]
			fmt.Fprintf(&status, "Priority: optional\nSection: %s\nInstalled-Size: %d\nMaintainer: Kubernetes Authors <dev@kubernetes.io>\nArchitecture: amd64\nVersion: %s\n", info.section, installedKB(n, ps.version), ps.version)
			if dep, min := depends(n, ps.version); dep != "" {
				fmt.Fprintf(&status, "Depends: %s (>= %s)\n", dep, min)
			}
			fmt.Fprintf(&status, "Description: %s\n %s.\nHomepage: https://kubernetes.io\n", info.desc, info.desc)
		}
		status.WriteString("\n")
		if ps.auto && ps.version != "" {
			fmt.Fprintf(&ext, "Package: %s\nArchitecture: amd64\nAuto-Installed: 1\n\n", n)
		}
	}
	h.write(dpkgStatus, status.String(), 0o644)
	h.write(extendedStates, ext.String(), 0o644)
	if db.listMinor != 0 {
		var idx strings.Builder
		for _, n := range kubePackages {
			for _, v := range repoVersions(n, db.listMinor, db.atLeastFor(db.listMinor)) {
				fmt.Fprintf(&idx, "Package: %s\nArchitecture: amd64\nVersion: %s\nFilename: %s_%s_amd64.deb\nSize: %d\n\n", n, v, n, v, pkgInfo[n].debKB*1000)
			}
		}
		h.write(listFile(db.listMinor, "Packages"), idx.String(), 0o644)
		h.write(listFile(db.listMinor, "InRelease"), fmt.Sprintf("Origin: obs://build.opensuse.org/isv:kubernetes:core:stable:v1.%d/deb\nLabel: isv:kubernetes:core:stable:v1.%d\nArchitectures: amd64 arm64 ppc64le s390x\n", db.listMinor, db.listMinor), 0o644)
	}
}

// atLeastFor is the cluster's patch for its own minor's repository.
func (db *pkgDB) atLeastFor(minor int) int {
	if minor == db.boot {
		return db.atLeast
	}
	return 0
}

// installedKB is a package version's installed size: each minor a little
// larger.
func installedKB(name, version string) int {
	return pkgInfo[name].instKB + (minorOf(version)-27)*pkgInfo[name].instKB/50 + patchOf(version)*3
}

// candidates are the package's versions in apt's index, newest first.
func (db *pkgDB) candidates(name string) []string {
	if db.listMinor == 0 || !slices.Contains(kubePackages, name) {
		return nil
	}
	return repoVersions(name, db.listMinor, db.atLeastFor(db.listMinor))
}

// candidate is the version apt would install (the newest), "" none.
func (db *pkgDB) candidate(name string) string {
	if c := db.candidates(name); len(c) > 0 {
		return c[0]
	}
	return ""
}

// installed is a package's installed version ("" none).
func (db *pkgDB) installed(name string) string {
	if ps := db.pkgs[name]; ps != nil {
		return ps.version
	}
	return ""
}

// known reports whether apt knows the package: installed or in its index.
func (db *pkgDB) known(name string) bool {
	return db.installed(name) != "" || len(db.candidates(name)) > 0
}

// stanzas parses a deb822 file into its paragraphs' fields (continuation
// lines dropped).
func stanzas(s string) []map[string]string {
	var out []map[string]string
	for _, para := range strings.Split(s, "\n\n") {
		m := map[string]string{}
		for _, line := range strings.Split(para, "\n") {
			if line == "" || line[0] == ' ' || line[0] == '\t' {
				continue
			}
			if k, v, ok := strings.Cut(line, ":"); ok {
				m[k] = strings.TrimSpace(v)
			}
		}
		if len(m) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// compareVersions orders Debian versions of the form this repository
// uses (1.28.15-1.1): numerically, field by field.
func compareVersions(a, b string) int {
	fa := strings.FieldsFunc(a, func(r rune) bool { return r == '.' || r == '-' })
	fb := strings.FieldsFunc(b, func(r rune) bool { return r == '.' || r == '-' })
	for i := 0; i < len(fa) || i < len(fb); i++ {
		var x, y int
		if i < len(fa) {
			x, _ = strconv.Atoi(fa[i])
		}
		if i < len(fb) {
			y, _ = strconv.Atoi(fb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// matchVersion finds the version apt selects for pkg=want: the exact one,
// or the newest a glob ('1.28.15-*') matches; "" none.
func (db *pkgDB) matchVersion(name, want string) (string, bool) {
	glob := strings.ContainsAny(want, "*?[")
	for _, v := range db.candidates(name) {
		if v == want {
			return v, false
		}
		if glob {
			if ok, _ := path.Match(want, v); ok {
				return v, true
			}
		}
	}
	if db.installed(name) == want {
		return want, false
	}
	return "", false
}

// upgradable lists the installed packages whose candidate is newer.
func (db *pkgDB) upgradable() []string {
	var out []string
	for _, n := range sortedKeys(db.pkgs) {
		if iv, cv := db.installed(n), db.candidate(n); iv != "" && cv != "" && compareVersions(cv, iv) > 0 {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
