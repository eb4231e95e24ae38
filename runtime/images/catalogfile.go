package images

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strings"
	"time"

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

// RepoEntry is one repository of catalog.yaml, or an image a user adds
// (ClusterSpec.Images, `kubesim image load`).
type RepoEntry struct {
	Repo string `json:"repo"`
	// Releases are "VERSION DATE" (2006-01-02), ascending by date.
	Releases   []string               `json:"releases,omitempty"`
	Floating   []string               `json:"floating,omitempty"`
	Variants   []string               `json:"variants,omitempty"`
	TagPattern string                 `json:"tagPattern,omitempty"`
	Size       int64                  `json:"size"`
	Config     ConfigEntry            `json:"config,omitempty"`
	Shell      string                 `json:"shell,omitempty"`
	Binaries   map[string]BinaryEntry `json:"binaries,omitempty"`
	Files      map[string]string      `json:"files,omitempty"`
	Dirs       map[string][]string    `json:"dirs,omitempty"`
}

// ConfigEntry is the image config of a RepoEntry.
type ConfigEntry struct {
	Entrypoint   []string `json:"entrypoint,omitempty"`
	Cmd          []string `json:"cmd,omitempty"`
	Env          []string `json:"env,omitempty"`
	WorkingDir   string   `json:"workingDir,omitempty"`
	User         string   `json:"user,omitempty"`
	StopSignal   string   `json:"stopSignal,omitempty"`
	ExposedPorts []int32  `json:"exposedPorts,omitempty"`
}

// BinaryEntry is one program: a server (its behaviour's name), an
// entrypoint script that starts the server when its first argument is in
// runs (printing the prelude first) and execs it otherwise, a shell
// command, or a process that runs until killed (forever).
type BinaryEntry struct {
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
	var list []RepoEntry
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

func (d RepoEntry) spec() (*repoSpec, error) {
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

// ParseEntry reads one RepoEntry (YAML or JSON), strictly.
func ParseEntry(b []byte) (RepoEntry, error) {
	var e RepoEntry
	err := yaml.UnmarshalStrict(b, &e)
	return e, err
}

// EntryFor fits an entry to the reference it is loaded as (`kubesim image
// load NAME`): the repository is NAME's, and NAME's tag exists from date
// on (a release of that version, or a floating tag when it is latest).
func EntryFor(ref string, e RepoEntry, date time.Time) (RepoEntry, error) {
	repo, tag, err := Normalize(ref)
	if err != nil {
		return e, err
	}
	if e.Repo != "" && e.Repo != repo {
		return e, fmt.Errorf("the entry is for %s, not %s", e.Repo, repo)
	}
	e.Repo = repo
	if e.Size == 0 {
		e.Size = 5_000_000 // [guess: a small image]
	}
	if e.TagPattern != "" {
		return e, nil
	}
	for _, rel := range e.Releases {
		if v, _, _ := strings.Cut(rel, " "); v == tag {
			return e, nil
		}
	}
	if tag == "latest" && len(e.Releases) > 0 {
		e.Floating = append(e.Floating, "latest")
		return e, nil
	}
	e.Releases = append(e.Releases, tag+" "+date.UTC().Format("2006-01-02"))
	sort.SliceStable(e.Releases, func(i, j int) bool {
		_, a, _ := strings.Cut(e.Releases[i], " ")
		_, b, _ := strings.Cut(e.Releases[j], " ")
		return a < b
	})
	return e, nil
}

// With returns a catalog with entries added (an entry for a repository the
// catalog has replaces it); the receiver is unchanged.
func (c *Catalog) With(entries []RepoEntry) (*Catalog, error) {
	if len(entries) == 0 {
		return c, nil
	}
	out := &Catalog{date: c.date, repos: maps.Clone(c.repos)}
	for _, e := range entries {
		r, err := e.spec()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Repo, err)
		}
		b, _ := json.Marshal(e)
		h := sha256.Sum256(b)
		r.salt = "/" + hex.EncodeToString(h[:8])
		out.repos[r.Repo] = r
	}
	return out, nil
}
