package images

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// The catalog as data: catalog.yaml lists every repository — its releases
// and their dates, floating tags, variants, size, image config, shell,
// files and directories — and names the behaviour of each of its programs
// (a server, an entrypoint, a shell command). The behaviours themselves
// (log lines, HTTP sites) stay in Go (data.go), registered by name below.
//
//go:embed catalog.yaml
var catalogYAML []byte

// repoData is one repository of catalog.yaml.
type repoData struct {
	Repo string `json:"repo"`
	// Releases are "VERSION DATE" (2006-01-02), ascending by date.
	Releases   []string              `json:"releases,omitempty"`
	Floating   []string              `json:"floating,omitempty"`
	Variants   []string              `json:"variants,omitempty"`
	TagPattern string                `json:"tagPattern,omitempty"`
	Size       int64                 `json:"size"`
	Config     configData            `json:"config,omitempty"`
	Shell      string                `json:"shell,omitempty"`
	Binaries   map[string]binaryData `json:"binaries,omitempty"`
	Files      map[string]string     `json:"files,omitempty"`
	Dirs       map[string][]string   `json:"dirs,omitempty"`
}

type configData struct {
	Entrypoint   []string `json:"entrypoint,omitempty"`
	Cmd          []string `json:"cmd,omitempty"`
	Env          []string `json:"env,omitempty"`
	WorkingDir   string   `json:"workingDir,omitempty"`
	User         string   `json:"user,omitempty"`
	StopSignal   string   `json:"stopSignal,omitempty"`
	ExposedPorts []int32  `json:"exposedPorts,omitempty"`
}

// binaryData is one program: a server (its behaviour's name), an
// entrypoint script that starts the server when its first argument is in
// runs (printing the prelude first) and execs it otherwise, a shell
// command, or a process that runs until killed (forever).
type binaryData struct {
	Server     string   `json:"server,omitempty"`
	Entrypoint []string `json:"entrypoint,omitempty"`
	Prelude    string   `json:"prelude,omitempty"`
	Shell      bool     `json:"shell,omitempty"`
	Forever    bool     `json:"forever,omitempty"`
}

// servers and preludes are the behaviours catalog.yaml names.
var (
	servers = map[string]*serverSpec{
		"httpd": httpdServer, "nginx": nginxServer, "redis": redisServer,
		"postgres": postgresServer, "mysql": mysqlServer, "system": systemServer,
	}
	preludes = map[string][]LogLine{"nginx": nginxEntrypointPrelude}
)

// parseCatalog reads catalog.yaml's repositories.
func parseCatalog(b []byte) ([]*repoSpec, error) {
	var list []repoData
	if err := yaml.UnmarshalStrict(b, &list); err != nil {
		return nil, err
	}
	out := make([]*repoSpec, 0, len(list))
	for _, d := range list {
		r, err := d.spec()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Repo, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (d repoData) spec() (*repoSpec, error) {
	r := &repoSpec{
		Repo: d.Repo, Floating: d.Floating, Variants: d.Variants, Size: d.Size, Shell: d.Shell,
		Files: d.Files, Dirs: d.Dirs,
		Config: ImageConfig{Entrypoint: d.Config.Entrypoint, Cmd: d.Config.Cmd, Env: d.Config.Env, WorkingDir: d.Config.WorkingDir,
			User: d.Config.User, StopSignal: d.Config.StopSignal, ExposedPorts: d.Config.ExposedPorts},
	}
	if d.Repo == "" {
		return nil, fmt.Errorf("no repo")
	}
	for _, rel := range d.Releases {
		v, date, ok := strings.Cut(rel, " ")
		if !ok {
			return nil, fmt.Errorf("release %q: want \"VERSION DATE\"", rel)
		}
		r.Releases = append(r.Releases, release{v, date})
	}
	if !sort.SliceIsSorted(r.Releases, func(i, j int) bool { return r.Releases[i].Date < r.Releases[j].Date }) {
		return nil, fmt.Errorf("releases are not ascending by date")
	}
	if d.TagPattern != "" {
		re, err := regexp.Compile(d.TagPattern)
		if err != nil {
			return nil, err
		}
		r.TagPattern = re
	}
	if len(d.Binaries) > 0 {
		r.Binaries = map[string]program{}
	}
	for name, b := range d.Binaries {
		var p program
		switch {
		case b.Server != "":
			p = program{Kind: progServer, Server: servers[b.Server]}
			if p.Server == nil {
				return nil, fmt.Errorf("binary %s: unknown server %q", name, b.Server)
			}
		case b.Entrypoint != nil:
			p = program{Kind: progEntrypoint, Runs: b.Entrypoint}
			if b.Prelude != "" {
				if p.Prelude = preludes[b.Prelude]; p.Prelude == nil {
					return nil, fmt.Errorf("binary %s: unknown prelude %q", name, b.Prelude)
				}
			}
		case b.Shell:
			p = program{Kind: progShell}
		case b.Forever:
			p = program{Kind: progForever}
		default:
			return nil, fmt.Errorf("binary %s: no behaviour", name)
		}
		r.Binaries[name] = p
	}
	return r, nil
}

func mustParseCatalog() []*repoSpec {
	repos, err := parseCatalog(catalogYAML)
	if err != nil {
		panic("runtime/images: catalog.yaml: " + err.Error())
	}
	return repos
}
