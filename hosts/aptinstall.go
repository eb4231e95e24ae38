package hosts

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"kubesim/runtime/shell"
)

// pkgChange is one package apt installs, upgrades or downgrades.
type pkgChange struct {
	name, from, to string
	dep            bool // pulled in as a dependency
}

// aptInstall is apt-get install PKG[=VERSION]... and, with upgrade, apt-get
// upgrade: it resolves the request against apt's index, prints apt's
// summary, refuses held or downgraded packages under -y as apt does, asks
// when apt asks, then unpacks and sets up the new versions.
func (h *Host) aptInstall(c *shell.Cmd, db *pkgDB, o aptOptions, args []string, upgrade bool) int {
	out := c.Stdout
	io.WriteString(out, aptReading)
	changes := map[string]*pkgChange{}
	var kept []string
	for _, a := range args {
		name, want, versioned := strings.Cut(a, "=")
		if !db.known(name) {
			fmt.Fprintf(c.Stderr, "E: Unable to locate package %s\n", name)
			return 100
		}
		to := db.candidate(name)
		if versioned {
			v, glob := db.matchVersion(name, want)
			if v == "" {
				fmt.Fprintf(c.Stderr, "E: Version '%s' for '%s' was not found\n", want, name)
				return 100
			}
			if glob {
				fmt.Fprintf(out, "Selected version '%s' (isv:kubernetes:core:stable:v1.%d:pkgs.k8s.io [amd64]) for '%s'\n", v, db.listMinor, name)
			}
			to = v
		}
		if to == "" {
			to = db.installed(name)
		}
		if cur := db.installed(name); cur == to {
			fmt.Fprintf(out, "%s is already the newest version (%s).\n", name, cur)
			if ps := db.pkgs[name]; ps.auto {
				ps.auto = false
				fmt.Fprintf(out, "%s set to manually installed.\n", name)
			}
			continue
		}
		changes[name] = &pkgChange{name: name, from: db.installed(name), to: to}
	}
	if upgrade {
		io.WriteString(out, "Calculating upgrade... Done\n")
		for _, n := range db.upgradable() {
			if db.pkgs[n].hold {
				kept = append(kept, n)
				continue
			}
			changes[n] = &pkgChange{name: n, from: db.installed(n), to: db.candidate(n)}
		}
	}
	// Dependencies: kubeadm needs its minor's cri-tools, the kubelet its
	// kubernetes-cni.
	for _, n := range sortedKeys(changes) {
		dep, least := depends(n, changes[n].to)
		if dep == "" || compareVersions(db.installed(dep), least) >= 0 {
			continue
		}
		if ch := changes[dep]; ch != nil && compareVersions(ch.to, least) >= 0 {
			continue
		}
		cand := db.candidate(dep)
		if cand == "" || compareVersions(cand, least) < 0 {
			fmt.Fprintf(out, "Some packages could not be installed. This may mean that you have\nrequested an impossible situation or if you are using the unstable\ndistribution that some required packages have not yet been created\nor been moved out of Incoming.\nThe following information may help to resolve the situation:\n\nThe following packages have unmet dependencies:\n %s : Depends: %s (>= %s) but %s is to be installed\n", n, dep, least, cand)
			fmt.Fprintln(c.Stderr, "E: Unable to correct problems, you have held broken packages.")
			return 100
		}
		changes[dep] = &pkgChange{name: dep, from: db.installed(dep), to: cand, dep: true}
	}
	var deps, news, held, ups, downs []string
	for _, n := range sortedKeys(changes) {
		ch := changes[n]
		if ch.dep {
			deps = append(deps, n)
		}
		switch {
		case ch.from == "":
			news = append(news, n)
		case compareVersions(ch.to, ch.from) > 0:
			ups = append(ups, n)
		default:
			downs = append(downs, n)
		}
		if ps := db.pkgs[n]; ps != nil && ps.hold {
			held = append(held, n)
		}
	}
	showList(out, "The following additional packages will be installed:", deps)
	showList(out, "The following NEW packages will be installed:", news)
	showList(out, "The following packages have been kept back:", kept)
	showList(out, "The following held packages will be changed:", held)
	showList(out, "The following packages will be upgraded:", ups)
	showList(out, "The following packages will be DOWNGRADED:", downs)
	notUpgraded := 0
	for _, n := range db.upgradable() {
		if changes[n] == nil {
			notUpgraded++
		}
	}
	fmt.Fprintf(out, "%d upgraded, %d newly installed, ", len(ups), len(news))
	if len(downs) > 0 {
		fmt.Fprintf(out, "%d downgraded, ", len(downs))
	}
	fmt.Fprintf(out, "0 to remove and %d not upgraded.\n", notUpgraded)
	if len(changes) == 0 {
		return 0
	}
	fail := len(held) > 0 || len(downs) > 0
	if o.yes && fail {
		if len(downs) > 0 && !o.allowDowngrades {
			fmt.Fprintln(c.Stderr, "E: Packages were downgraded and -y was used without --allow-downgrades.")
			return 100
		}
		if len(held) > 0 && !o.allowHeld {
			fmt.Fprintln(c.Stderr, "E: Held packages were changed and -y was used without --allow-change-held-packages.")
			return 100
		}
	}
	// Dependencies first, as apt orders the unpacking.
	order := append(append([]string(nil), deps...), func() []string {
		var rest []string
		for _, n := range sortedKeys(changes) {
			if !changes[n].dep {
				rest = append(rest, n)
			}
		}
		return rest
	}()...)
	if o.simulate {
		fmt.Fprint(out, "NOTE: This is only a simulation!\n      apt-get needs root privileges for real execution.\n      Keep also in mind that locking is deactivated,\n      so don't depend on the relevance to the real current situation!\n")
		src := fmt.Sprintf("isv:kubernetes:core:stable:v1.%d:pkgs.k8s.io [amd64]", db.listMinor)
		for _, n := range order {
			ch := changes[n]
			if ch.from != "" {
				fmt.Fprintf(out, "Inst %s [%s] (%s %s)\n", n, ch.from, ch.to, src)
			} else {
				fmt.Fprintf(out, "Inst %s (%s %s)\n", n, ch.to, src)
			}
		}
		for _, n := range order {
			fmt.Fprintf(out, "Conf %s (%s %s)\n", n, changes[n].to, src)
		}
		return 0
	}
	var debBytes, delta float64
	for _, n := range order {
		ch := changes[n]
		debBytes += float64(pkgInfo[n].debKB) * 1000
		delta += float64(installedKB(n, ch.to)) * 1000
		if ch.from != "" {
			delta -= float64(installedKB(n, ch.from)) * 1000
		}
	}
	fmt.Fprintf(out, "Need to get %sB of archives.\n", sizeToStr(debBytes))
	if delta >= 0 {
		fmt.Fprintf(out, "After this operation, %sB of additional disk space will be used.\n", sizeToStr(delta))
	} else {
		fmt.Fprintf(out, "After this operation, %sB disk space will be freed.\n", sizeToStr(-delta))
	}
	if (!o.yes && (fail || upgrade || len(deps) > 0)) && o.quiet < 2 {
		io.WriteString(out, "Do you want to continue? [Y/n] ")
		ans, ok := readLine(c.Stdin)
		if !ok || (ans != "" && !strings.HasPrefix(strings.ToLower(ans), "y")) {
			fmt.Fprintln(out, "Abort.")
			return 1
		}
	}
	for i, n := range order {
		fmt.Fprintf(out, "Get:%d %s  %s %s [%sB]\n", i+1, fmt.Sprintf(k8sCDN, db.listMinor), n, changes[n].to, sizeToStr(float64(pkgInfo[n].debKB)*1000))
	}
	fmt.Fprintf(out, "Fetched %sB in 1s (%sB/s)\n", sizeToStr(debBytes), sizeToStr(debBytes*0.97))
	fmt.Fprintf(out, "(Reading database ... %d files and directories currently installed.)\n", 71342+len(db.pkgs))
	for _, n := range order {
		ch := changes[n]
		if ch.from == "" {
			fmt.Fprintf(out, "Selecting previously unselected package %s.\n", n)
		}
		fmt.Fprintf(out, "Preparing to unpack .../%s_%s_amd64.deb ...\n", n, ch.to)
		if ch.from == "" {
			fmt.Fprintf(out, "Unpacking %s (%s) ...\n", n, ch.to)
		} else {
			fmt.Fprintf(out, "Unpacking %s (%s) over (%s) ...\n", n, ch.to, ch.from)
		}
	}
	for _, n := range order {
		ch := changes[n]
		fmt.Fprintf(out, "Setting up %s (%s) ...\n", n, ch.to)
		ps := db.pkgs[n]
		if ps == nil {
			ps = &pkgState{auto: ch.dep}
			db.pkgs[n] = ps
		}
		ps.version = ch.to
	}
	h.savePackages(db)
	return 0
}

// showList is apt's ShowList: a title and the names indented, wrapped at
// 80 columns.
func showList(out io.Writer, title string, names []string) {
	if len(names) == 0 {
		return
	}
	fmt.Fprintln(out, title)
	line := " "
	for _, n := range names {
		if len(line)+1+len(n) > 79 {
			fmt.Fprintln(out, line)
			line = " "
		}
		line += " " + n
	}
	fmt.Fprintln(out, line)
}

// aptList is `apt list [--installed|--upgradable|-a] [PATTERN...]`.
func (h *Host) aptList(c *shell.Cmd, db *pkgDB, args []string) int {
	var installed, upgradable, all bool
	var pats []string
	for _, a := range args {
		switch a {
		case "--installed", "-i":
			installed = true
		case "--upgradable", "--upgradeable":
			upgradable = true
		case "-a", "--all-versions":
			all = true
		default:
			pats = append(pats, a)
		}
	}
	fmt.Fprint(c.Stderr, "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n")
	fmt.Fprintln(c.Stdout, "Listing...")
	names := map[string]bool{}
	for n := range db.pkgs {
		names[n] = true
	}
	for _, n := range kubePackages {
		if len(db.candidates(n)) > 0 {
			names[n] = true
		}
	}
	for _, n := range sortedKeys(names) {
		if len(pats) > 0 {
			match := false
			for _, p := range pats {
				if ok, _ := path.Match(p, n); ok {
					match = true
				}
			}
			if !match {
				continue
			}
		}
		iv, cv := db.installed(n), db.candidate(n)
		up := iv != "" && cv != "" && compareVersions(cv, iv) > 0
		if (installed && iv == "") || (upgradable && !up) {
			continue
		}
		versions := []string{cv}
		if all {
			versions = db.candidates(n)
		}
		if cv == "" || (iv != "" && !all && (!up || installed)) {
			versions = []string{iv}
		}
		if iv != "" && !contains(versions, iv) && (all || !up) {
			versions = append(versions, iv)
		}
		for _, v := range versions {
			if v == "" {
				continue
			}
			inRepo := contains(db.candidates(n), v)
			suite := "unknown"
			if v == iv {
				suite += ",now"
				if !inRepo {
					suite = "now"
				}
			}
			var flags []string
			switch {
			case v == iv:
				flags = append(flags, "installed")
				if db.pkgs[n].auto {
					flags = append(flags, "automatic")
				}
				if up {
					flags = append(flags, "upgradable to: "+cv)
				} else if !inRepo {
					flags = append(flags, "local")
				}
			case up && v == cv:
				flags = append(flags, "upgradable from: "+iv)
			}
			line := fmt.Sprintf("%s/%s %s amd64", n, suite, v)
			if len(flags) > 0 {
				line += " [" + strings.Join(flags, ",") + "]"
			}
			fmt.Fprintln(c.Stdout, line)
		}
	}
	return 0
}

// aptCache: madison, policy.
func (h *Host) aptCache(c *shell.Cmd) int {
	args := c.Args[1:]
	if len(args) == 0 {
		fmt.Fprintln(c.Stdout, "apt 2.4.13 (amd64)\nUsage: apt-cache [options] command")
		return 1
	}
	db := h.loadPackages()
	repo := fmt.Sprintf("https://pkgs.k8s.io/core:/stable:/v1.%d/deb  Packages", db.listMinor)
	switch args[0] {
	case "madison":
		for _, n := range args[1:] {
			if !db.known(n) {
				fmt.Fprintf(c.Stderr, "N: Unable to locate package %s\n", n)
				continue
			}
			for _, v := range db.candidates(n) {
				fmt.Fprintf(c.Stdout, "%10s | %s | %s\n", n, v, repo)
			}
		}
		return 0
	case "policy":
		for _, n := range args[1:] {
			if !db.known(n) {
				fmt.Fprintf(c.Stderr, "N: Unable to locate package %s\n", n)
				continue
			}
			iv, cv := db.installed(n), db.candidate(n)
			fmt.Fprintf(c.Stdout, "%s:\n  Installed: %s\n  Candidate: %s\n  Version table:\n", n, orNone(iv), orNone(cv))
			versions := db.candidates(n)
			if iv != "" && !contains(versions, iv) {
				versions = append(versions, iv)
				sort.Slice(versions, func(i, j int) bool { return compareVersions(versions[i], versions[j]) > 0 })
			}
			for _, v := range versions {
				mark, prio := "    ", 500
				if !contains(db.candidates(n), v) {
					prio = 100
				}
				if v == iv {
					mark = " ***"
				}
				fmt.Fprintf(c.Stdout, "%s %s %d\n", mark, v, prio)
				if contains(db.candidates(n), v) {
					fmt.Fprintf(c.Stdout, "        500 %s\n", repo)
				}
				if v == iv {
					fmt.Fprintln(c.Stdout, "        100 /var/lib/dpkg/status")
				}
			}
		}
		return 0
	}
	fmt.Fprintf(c.Stderr, "E: Invalid operation %s\n", args[0])
	return 100
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// dpkg: -l [PATTERN...], -s PKG, --get-selections.
func (h *Host) dpkg(c *shell.Cmd) int {
	args := c.Args[1:]
	db := h.loadPackages()
	if len(args) == 0 {
		fmt.Fprintln(c.Stderr, "dpkg: error: need an action option\n\nType dpkg --help for help about installing and deinstalling packages [*];\nUse 'apt' or 'aptitude' for user-friendly package management;\nType dpkg -Dhelp for a list of dpkg debug flag values;\nType dpkg --force-help for a list of forcing options;\nType dpkg-deb --help for help about manipulating *.deb files;\n\nOptions marked [*] produce a lot of output - pipe it through 'less' or 'more' !")
		return 2
	}
	switch args[0] {
	case "-l", "--list":
		return h.dpkgList(c, db, args[1:])
	case "-s", "--status":
		code := 0
		b, _ := h.fs.ReadFile(dpkgStatus)
		for i, n := range args[1:] {
			if db.installed(n) == "" {
				fmt.Fprintf(c.Stderr, "dpkg-query: package '%s' is not installed and no information is available\nUse dpkg --info (= dpkg-deb --info) to examine archive files.\n", n)
				code = 1
				continue
			}
			if i > 0 {
				fmt.Fprintln(c.Stdout)
			}
			for _, para := range strings.Split(string(b), "\n\n") {
				if strings.HasPrefix(para, "Package: "+n+"\n") {
					fmt.Fprintln(c.Stdout, strings.TrimRight(para, "\n"))
				}
			}
		}
		return code
	case "--get-selections":
		for _, n := range sortedKeys(db.pkgs) {
			ps := db.pkgs[n]
			sel := "install"
			if ps.hold {
				sel = "hold"
			}
			fmt.Fprintf(c.Stdout, "%s%s\n", padTabs(n), sel)
		}
		return 0
	}
	fmt.Fprintf(c.Stderr, "dpkg: error: unknown option %s\n\nType dpkg --help for help about installing and deinstalling packages [*];\n", args[0])
	return 2
}

// padTabs is dpkg --get-selections' name column: tabs to column 48.
func padTabs(n string) string {
	tabs := (48 - len(n) + 7) / 8
	if tabs < 1 {
		tabs = 1
	}
	return n + strings.Repeat("\t", tabs)
}

// dpkgList is dpkg -l as it prints into a pipe: columns as wide as the
// node's whole package list makes them.
func (h *Host) dpkgList(c *shell.Cmd, db *pkgDB, pats []string) int {
	const nw, vw, aw = 36, 39, 12
	var rows []string
	descW := 11
	matched := map[string]bool{}
	for _, n := range sortedKeys(db.pkgs) {
		ps := db.pkgs[n]
		if len(pats) > 0 {
			ok := false
			for _, p := range pats {
				if m, _ := path.Match(p, n); m {
					ok, matched[p] = true, true
				}
			}
			if !ok {
				continue
			}
		} else if ps.version == "" {
			continue
		}
		want, status := 'i', 'i'
		if ps.hold {
			want = 'h'
		}
		ver, desc := ps.version, pkgInfo[n].desc
		if ps.version == "" {
			status, ver, desc = 'n', "<none>", "(no description available)"
		}
		if len(desc) > descW {
			descW = len(desc)
		}
		rows = append(rows, fmt.Sprintf("%c%c  %-*s %-*s %-*s %s", want, status, nw, n, vw, ver, aw, "amd64", desc))
	}
	code := 0
	for _, p := range pats {
		if !matched[p] {
			fmt.Fprintf(c.Stderr, "dpkg-query: no packages found matching %s\n", p)
			code = 1
		}
	}
	if len(rows) == 0 {
		return code
	}
	fmt.Fprintf(c.Stdout, "Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n")
	fmt.Fprintf(c.Stdout, "||/ %-*s %-*s %-*s %s\n", nw, "Name", vw, "Version", aw, "Architecture", "Description")
	fmt.Fprintf(c.Stdout, "+++-%s-%s-%s-%s\n", strings.Repeat("=", nw), strings.Repeat("=", vw), strings.Repeat("=", aw), strings.Repeat("=", descW))
	for _, r := range rows {
		fmt.Fprintln(c.Stdout, r)
	}
	return code
}
