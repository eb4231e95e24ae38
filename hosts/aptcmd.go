package hosts

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"kubesim/runtime/shell"
)

// The package commands: apt-get, apt, apt-cache, apt-mark and dpkg over
// the node's packages (apt.go), with apt 2.4's and dpkg 1.21's output
// (Ubuntu 22.04).

// packageCommandNames are the package programs, for /usr/bin.
func packageCommandNames() []string {
	return []string{"apt", "apt-get", "apt-cache", "apt-mark", "dpkg", "dpkg-query", "sudo"}
}

// packageCommands are the package programs as host commands.
func (h *Host) packageCommands() map[string]shell.Command {
	return map[string]shell.Command{
		"apt-get":    func(c *shell.Cmd) int { return h.aptGet(c, false) },
		"apt":        func(c *shell.Cmd) int { return h.aptGet(c, true) },
		"apt-cache":  h.aptCache,
		"apt-mark":   h.aptMark,
		"dpkg":       h.dpkg,
		"dpkg-query": h.dpkg,
		"sudo":       sudo,
	}
}

const aptReading = "Reading package lists... Done\nBuilding dependency tree... Done\nReading state information... Done\n"

// aptOptions are apt-get's flags that matter here.
type aptOptions struct {
	yes, allowHeld, allowDowngrades, simulate bool
	quiet                                     int
}

func parseAptArgs(args []string) (aptOptions, []string, string) {
	var o aptOptions
	var rest []string
	for _, a := range args {
		switch a {
		case "-y", "--yes", "--assume-yes", "-qy", "-yq":
			o.yes = true
			if a != "-y" && a != "--yes" && a != "--assume-yes" {
				o.quiet++
			}
		case "--allow-change-held-packages":
			o.allowHeld = true
		case "--allow-downgrades":
			o.allowDowngrades = true
		case "-s", "--simulate", "--dry-run", "--just-print", "--no-act":
			o.simulate = true
		case "-q", "--quiet":
			o.quiet++
		case "-qq":
			o.quiet += 2
		case "--no-install-recommends", "--install-recommends", "--only-upgrade", "-f", "--fix-broken", "--allow-unauthenticated", "--force-yes":
		default:
			if strings.HasPrefix(a, "-o") || strings.HasPrefix(a, "--option") {
				continue
			}
			if strings.HasPrefix(a, "-") {
				return o, nil, a
			}
			rest = append(rest, a)
		}
	}
	return o, rest, ""
}

// aptGet is apt-get (and apt, whose update and list differ): update,
// install, upgrade.
func (h *Host) aptGet(c *shell.Cmd, apt bool) int {
	if i := firstWord(c.Args[1:]); apt && i >= 0 && c.Args[1+i] == "list" {
		return h.aptList(c, h.loadPackages(), append(append([]string(nil), c.Args[1:1+i]...), c.Args[2+i:]...))
	}
	o, rest, bad := parseAptArgs(c.Args[1:])
	if bad != "" {
		fmt.Fprintf(c.Stderr, "E: Command line option '%s' [from %s] is not understood in combination with the other options.\n", strings.TrimLeft(bad, "-"), bad)
		return 100
	}
	if len(rest) == 0 {
		if apt {
			fmt.Fprintln(c.Stdout, "apt 2.4.13 (amd64)\nUsage: apt [options] command")
			return 1
		}
		fmt.Fprintln(c.Stdout, "apt 2.4.13 (amd64)\nUsage: apt-get [options] command\n       apt-get [options] install|remove pkg1 [pkg2 ...]\n       apt-get [options] source pkg1 [pkg2 ...]")
		return 1
	}
	db := h.loadPackages()
	switch rest[0] {
	case "update":
		return h.aptUpdate(c, db, apt)
	case "install":
		return h.aptInstall(c, db, o, rest[1:], false)
	case "upgrade", "dist-upgrade", "full-upgrade":
		return h.aptInstall(c, db, o, nil, true)
	}
	fmt.Fprintf(c.Stderr, "E: Invalid operation %s\n", rest[0])
	return 100
}

// firstWord is the index of the first argument that is no flag (-1).
func firstWord(args []string) int {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			return i
		}
	}
	return -1
}

// aptUpdate fetches the index of the repository the source list names.
func (h *Host) aptUpdate(c *shell.Cmd, db *pkgDB, apt bool) int {
	minor, url, err := h.sourceMinor()
	if err != "" {
		// apt reads its sources before it fetches anything.
		fmt.Fprint(c.Stderr, err)
		return 100
	}
	for i, s := range []string{"http://archive.ubuntu.com/ubuntu jammy", "http://archive.ubuntu.com/ubuntu jammy-updates", "http://archive.ubuntu.com/ubuntu jammy-backports", "http://security.ubuntu.com/ubuntu jammy-security"} {
		fmt.Fprintf(c.Stdout, "Hit:%d %s InRelease\n", i+1, s)
	}
	fetched := 0
	switch {
	case url == "":
		db.listMinor = 0
	case minor < firstRepoMinor || minor > lastRepoMinor:
		fmt.Fprintf(c.Stdout, "Err:5 %s  InRelease\n  403  Forbidden [IP: 146.75.33.55 443]\n", fmt.Sprintf(k8sCDN, minor))
		fmt.Fprint(c.Stdout, "Reading package lists... Done\n")
		fmt.Fprintf(c.Stderr, "E: Failed to fetch %s/InRelease  403  Forbidden [IP: 146.75.33.55 443]\nE: The repository '%s  InRelease' is not signed.\nN: Updating from such a repository can't be done securely, and is therefore disabled by default.\nN: See apt-secure(8) manpage for repository creation and user configuration details.\n", strings.TrimSuffix(url, "/"), strings.TrimSuffix(url, "/"))
		return 100
	case minor == db.listMinor:
		fmt.Fprintf(c.Stdout, "Hit:5 %s  InRelease\n", fmt.Sprintf(k8sCDN, minor))
	default:
		db.listMinor = minor
		n := 0
		for _, p := range kubePackages {
			n += len(repoVersions(p, minor, db.atLeastFor(minor)))
		}
		size := 1186 + 427*n
		fetched = 1186 + size
		fmt.Fprintf(c.Stdout, "Get:5 %s  InRelease [1,186 B]\nGet:6 %s  Packages [%sB]\n", fmt.Sprintf(k8sCDN, minor), fmt.Sprintf(k8sCDN, minor), sizeToStr(float64(size)))
	}
	if fetched > 0 {
		fmt.Fprintf(c.Stdout, "Fetched %sB in 1s (%sB/s)\n", sizeToStr(float64(fetched)), sizeToStr(float64(fetched)*0.93))
	}
	if ents, err := h.fs.ReadDir(aptLists); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "pkgs.k8s.io_") {
				h.fs.Remove(aptLists + "/" + e.Name())
			}
		}
	}
	h.savePackages(db)
	fmt.Fprint(c.Stdout, "Reading package lists... Done\n")
	if apt {
		fmt.Fprint(c.Stdout, "Building dependency tree... Done\nReading state information... Done\n")
		switch n := len(db.upgradable()); n {
		case 0:
			fmt.Fprintln(c.Stdout, "All packages are up to date.")
		case 1:
			fmt.Fprintln(c.Stdout, "1 package can be upgraded. Run 'apt list --upgradable' to see it.")
		default:
			fmt.Fprintf(c.Stdout, "%d packages can be upgraded. Run 'apt list --upgradable' to see them.\n", n)
		}
	}
	return 0
}

// sourceMinor reads the Kubernetes source list: the minor its pkgs.k8s.io
// line names and the line's URL ("" when there is none), or apt's error
// for a line it cannot parse.
func (h *Host) sourceMinor() (int, string, string) {
	b, err := h.fs.ReadFile(k8sSourceList)
	if err != nil {
		return 0, "", ""
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if f[0] != "deb" && f[0] != "deb-src" {
			return 0, "", fmt.Sprintf("E: Type '%s' is not known on line %d in source list %s\nE: The list of sources could not be read.\n", f[0], i+1, k8sSourceList)
		}
		url := ""
		for _, w := range f[1:] {
			if strings.HasPrefix(w, "[") || strings.HasSuffix(w, "]") {
				continue
			}
			url = w
			break
		}
		if url == "" || len(f) < 3 {
			return 0, "", fmt.Sprintf("E: Malformed entry %d in list file %s (Suite)\nE: The list of sources could not be read.\n", i+1, k8sSourceList)
		}
		var minor int
		if _, err := fmt.Sscanf(url, "https://pkgs.k8s.io/core:/stable:/v1.%d/deb/", &minor); err == nil {
			return minor, url, ""
		}
	}
	return 0, "", ""
}

// sizeToStr is apt's SizeToStr: three significant digits and a unit
// prefix, thousands grouped.
func sizeToStr(size float64) string {
	units := []string{"", "k", "M", "G", "T"}
	for i := 0; i < len(units); i++ {
		if size < 100 && i != 0 {
			return fmt.Sprintf("%.1f %s", size, units[i])
		}
		if size < 10000 {
			return fmt.Sprintf("%s %s", group(int(size+0.5)), units[i])
		}
		size /= 1000
	}
	return fmt.Sprintf("%.0f P", size)
}

// group writes n with thousands separators (1,186).
func group(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// readLine reads one line of the command's stdin (a prompt's answer);
// false at its end.
func readLine(r io.Reader) (string, bool) {
	if r == nil {
		return "", false
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return "", false
	}
	return strings.TrimSpace(line), true
}

// aptMark: hold, unhold, showhold, auto, manual, showmanual, showauto.
func (h *Host) aptMark(c *shell.Cmd) int {
	args := c.Args[1:]
	if len(args) == 0 {
		fmt.Fprintln(c.Stdout, "apt 2.4.13 (amd64)\nUsage: apt-mark [options] {auto|manual} pkg1 [pkg2 ...]")
		return 1
	}
	db := h.loadPackages()
	verb, names := args[0], args[1:]
	switch verb {
	case "showhold", "showholds":
		for _, n := range sortedKeys(db.pkgs) {
			if db.pkgs[n].hold && (len(names) == 0 || contains(names, n)) {
				fmt.Fprintln(c.Stdout, n)
			}
		}
		return 0
	case "showmanual", "showauto":
		for _, n := range sortedKeys(db.pkgs) {
			ps := db.pkgs[n]
			if ps.version != "" && ps.auto == (verb == "showauto") {
				fmt.Fprintln(c.Stdout, n)
			}
		}
		return 0
	case "hold", "unhold", "auto", "manual":
	default:
		fmt.Fprintf(c.Stderr, "E: Invalid operation %s\n", verb)
		return 100
	}
	if len(names) == 0 {
		fmt.Fprintln(c.Stderr, "E: No packages found")
		return 100
	}
	for _, n := range names {
		if !db.known(n) {
			fmt.Fprintf(c.Stderr, "E: Unable to locate package %s\n", n)
			return 100
		}
	}
	for _, n := range names {
		ps := db.pkgs[n]
		if ps == nil {
			ps = &pkgState{}
			db.pkgs[n] = ps
		}
		switch verb {
		case "hold":
			if ps.hold {
				fmt.Fprintf(c.Stdout, "%s was already set on hold.\n", n)
			} else {
				ps.hold = true
				fmt.Fprintf(c.Stdout, "%s set on hold.\n", n)
			}
		case "unhold":
			if !ps.hold {
				fmt.Fprintf(c.Stdout, "%s was already not on hold.\n", n)
			} else {
				ps.hold = false
				fmt.Fprintf(c.Stdout, "Canceled hold on %s.\n", n)
			}
		case "auto", "manual":
			if ps.version == "" {
				fmt.Fprintf(c.Stdout, "%s can not be marked as it is not installed.\n", n)
				continue
			}
			want := verb == "auto"
			if ps.auto == want {
				fmt.Fprintf(c.Stdout, "%s was already set to %s installed.\n", n, map[bool]string{true: "automatically", false: "manually"}[want])
			} else {
				ps.auto = want
				fmt.Fprintf(c.Stdout, "%s set to %s installed.\n", n, map[bool]string{true: "automatically", false: "manually"}[want])
			}
		}
	}
	h.savePackages(db)
	return 0
}
