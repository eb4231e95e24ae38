package images

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// LectureDate is the date Default() pins tags to: Kubernetes v1.27.1 was
// released on 2023-04-14, so the lecture cluster pulls what the tags pointed at
// in mid-April 2023.
var LectureDate = time.Date(2023, time.April, 15, 0, 0, 0, 0, time.UTC)

// Catalog resolves image references to images as they were on one date.
// A Catalog is immutable after construction and safe for concurrent use.
type Catalog struct {
	date  time.Time
	repos map[string]*repoSpec // canonical repo name → spec
}

// Default returns the catalog pinned to LectureDate.
func Default() *Catalog { return DefaultAt(LectureDate) }

// DefaultAt returns the built-in catalog pinned to date: a floating tag
// ("latest", "2.4") resolves to the newest release published on or before it,
// and an exact tag published after it does not exist yet.
func DefaultAt(date time.Time) *Catalog {
	c := &Catalog{date: date, repos: make(map[string]*repoSpec, len(builtinRepos))}
	for _, r := range builtinRepos {
		c.repos[r.Repo] = r
	}
	return c
}

// Date is the date the catalog's tags are pinned to.
func (c *Catalog) Date() time.Time { return c.date }

// Repos lists the canonical repository names, sorted.
func (c *Catalog) Repos() []string {
	return slices.Sorted(maps.Keys(c.repos))
}

// Image is one resolved image. The fields above the line are what a runtime
// reports (crictl images, CRI Image); the rest is behaviour.
type Image struct {
	Ref     string // canonical reference: docker.io/library/httpd:2.4
	Repo    string // docker.io/library/httpd
	Tag     string // 2.4
	Digest  string // repo digest, sha256:… (deterministic stand-in, not the registry's)
	ID      string // image (config) id, sha256:… (deterministic stand-in)
	Size    int64  // bytes as a runtime reports it [guess: approximate compressed sizes]
	Version string // the upstream version the tag pointed at: 2.4.57

	Config ImageConfig

	spec *repoSpec
}

// ImageConfig is the part of the OCI image config a runtime uses to start it.
type ImageConfig struct {
	Entrypoint   []string
	Cmd          []string
	Env          []string // KEY=value, image order
	WorkingDir   string
	User         string
	StopSignal   string // "" means SIGTERM
	ExposedPorts []int32
}

// RepoDigest returns repo@digest, as crictl images --digests and ImageStatus show it.
func (img *Image) RepoDigest() string { return img.Repo + "@" + img.Digest }

// HasBinary reports whether name (a bare name or an absolute path) exists in
// the image's PATH.
func (img *Image) HasBinary(name string) bool {
	_, ok := img.spec.lookupBinary(name)
	return ok
}

// PullReason says why a pull failed.
type PullReason int

const (
	// TagNotFound: the repository exists, the tag does not (yet).
	TagNotFound PullReason = iota + 1
	// RepoNotFound: no such repository, or it needs credentials.
	RepoNotFound
	// InvalidReference: the reference does not parse.
	InvalidReference
)

// PullError is a failed pull. Error() is containerd's text as the kubelet sees
// it through CRI (the grpc status text); a runtime with other wording formats
// Reason and Ref itself (see runtime/chain).
type PullError struct {
	Ref    string // canonical reference that was asked for
	Repo   string
	Tag    string
	Reason PullReason
}

// Desc is the runtime's message without the "rpc error: code = … desc = " prefix.
// Texts: shared/reference/events-and-messages.md §2.3 (containerd, real clusters).
func (e *PullError) Desc() string {
	switch e.Reason {
	case TagNotFound:
		return fmt.Sprintf("failed to pull and unpack image %q: failed to resolve reference %q: %s: not found", e.Ref, e.Ref, e.Ref)
	case RepoNotFound:
		return fmt.Sprintf("failed to pull and unpack image %q: pull access denied, repository does not exist or may require docker login", e.Ref)
	default:
		return fmt.Sprintf("failed to pull and unpack image %q: invalid reference format", e.Ref)
	}
}

// Code is the gRPC code name containerd returns.
func (e *PullError) Code() string { return "NotFound" }

func (e *PullError) Error() string {
	return "rpc error: code = " + e.Code() + " desc = " + e.Desc()
}

var (
	// refRe is a simplified distribution/reference grammar: optional domain,
	// lowercase path components, optional tag, optional digest.
	refRe = regexp.MustCompile(`^(?:([a-zA-Z0-9.-]+(?::[0-9]+)?)/)?([a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`)
)

// Normalize returns the canonical repository and tag of ref, as containerd and
// the kubelet normalise it: no domain means docker.io, a single path component
// on docker.io gets library/, no tag means latest.
func Normalize(ref string) (repo, tag string, err error) {
	m := refRe.FindStringSubmatch(ref)
	if m == nil {
		return "", "", fmt.Errorf("couldn't parse image name %q: invalid reference format", ref)
	}
	domain, path, tag := m[1], m[2], m[3]
	// A first component without '.', ':' and other than localhost is a path, not a domain.
	if domain != "" && !strings.ContainsAny(domain, ".:") && domain != "localhost" {
		path = domain + "/" + path
		domain = ""
	}
	if domain == "" || domain == "index.docker.io" {
		domain = "docker.io"
	}
	if domain == "docker.io" && !strings.Contains(path, "/") {
		path = "library/" + path
	}
	if tag == "" {
		tag = "latest"
	}
	return domain + "/" + path, tag, nil
}

// Resolve finds ref in the catalog at the catalog's date. An unknown repository
// or tag gives a *PullError.
func (c *Catalog) Resolve(ref string) (*Image, error) {
	repo, tag, err := Normalize(ref)
	if err != nil {
		return nil, &PullError{Ref: ref, Reason: InvalidReference}
	}
	canon := repo + ":" + tag
	spec, ok := c.repos[repo]
	if !ok {
		return nil, &PullError{Ref: canon, Repo: repo, Tag: tag, Reason: RepoNotFound}
	}
	version, ok := spec.resolveTag(tag, c.date)
	if !ok {
		return nil, &PullError{Ref: canon, Repo: repo, Tag: tag, Reason: TagNotFound}
	}
	return spec.image(tag, version, spec.variantOf(tag)), nil
}

// MustResolve is Resolve for references known to be in the catalog (tests,
// system images); it panics otherwise.
func (c *Catalog) MustResolve(ref string) *Image {
	img, err := c.Resolve(ref)
	if err != nil {
		panic(err)
	}
	return img
}

// release is one upstream version and the day its image was published.
type release struct {
	Version string
	Date    string // 2006-01-02
}

// repoSpec is one repository of the catalog, as data.
type repoSpec struct {
	Repo     string
	Releases []release // ascending by date
	// Floating are tags that follow the newest release ("latest", "stable").
	Floating []string
	// Variants are tag suffixes of the same releases ("-alpine"); a variant
	// named alone ("alpine") floats like latest.
	Variants []string
	// TagPattern accepts any tag matching it, the tag being the version
	// (system images whose tags follow the Kubernetes release).
	TagPattern *regexp.Regexp
	Size       int64
	Config     ImageConfig
	// Shell is "" (no /bin/sh), "dash" (Debian) or "busybox" (busybox, alpine);
	// it decides which builtins exist and how "not found" reads.
	Shell string
	// Binaries are the image's own programs beyond the shell builtins.
	Binaries map[string]program
	// Files are cat-able files: path → content template (see expand).
	Files map[string]string
	// Dirs are ls-able directories: path → entries.
	Dirs map[string][]string
	// salt tells a user's image apart from another loaded under the same
	// name with other content: it goes into its digest and ID (and so
	// gives it its own root filesystem). Built-in repositories have none.
	salt string
}

func (r *repoSpec) resolveTag(tag string, date time.Time) (string, bool) {
	if r.TagPattern != nil {
		return tag, r.TagPattern.MatchString(tag)
	}
	for _, v := range r.Variants {
		if tag == strings.TrimPrefix(v, "-") {
			return r.newest("", date)
		}
		if base, ok := strings.CutSuffix(tag, v); ok {
			tag = base
			break
		}
	}
	for _, f := range r.Floating {
		if tag == f {
			return r.newest("", date)
		}
	}
	for _, rel := range r.Releases {
		if rel.Version == tag && !published(rel, date) {
			return "", false
		}
		if rel.Version == tag {
			return tag, true
		}
	}
	// "2.4" or "2": newest release with that prefix.
	return r.newest(tag+".", date)
}

// variantOf names the image variant a tag selects ("-alpine" for
// "1.25-alpine" and "alpine"), "" for the main one.
func (r *repoSpec) variantOf(tag string) string {
	for _, v := range r.Variants {
		if tag == strings.TrimPrefix(v, "-") || strings.HasSuffix(tag, v) {
			return v
		}
	}
	return ""
}

func published(rel release, date time.Time) bool {
	d, err := time.Parse(time.DateOnly, rel.Date)
	return err == nil && !d.After(date)
}

func (r *repoSpec) newest(prefix string, date time.Time) (string, bool) {
	for i := len(r.Releases) - 1; i >= 0; i-- {
		rel := r.Releases[i]
		if published(rel, date) && strings.HasPrefix(rel.Version, prefix) {
			return rel.Version, true
		}
	}
	return "", false
}

func (r *repoSpec) image(tag, version, variant string) *Image {
	sum := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return "sha256:" + hex.EncodeToString(h[:])
	}
	cfg := r.Config
	cfg.Env = expandAll(cfg.Env, map[string]string{"VERSION": version})
	return &Image{
		Ref:     r.Repo + ":" + tag,
		Repo:    r.Repo,
		Tag:     tag,
		Digest:  sum("kubesim/digest/" + r.Repo + "@" + version + variant + r.salt),
		ID:      sum("kubesim/config/" + r.Repo + "@" + version + variant + r.salt),
		Size:    r.Size,
		Version: version,
		Config:  cfg,
		spec:    r,
	}
}

// lookupBinary finds a program by bare name or path.
func (r *repoSpec) lookupBinary(name string) (program, bool) {
	base := name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		base = name[i+1:]
	}
	if p, ok := r.Binaries[name]; ok {
		return p, true
	}
	if p, ok := r.Binaries[base]; ok {
		return p, true
	}
	if r.Shell != "" && (!busyboxOnly[base] || r.Shell == "busybox") {
		if _, ok := shellBuiltins[base]; ok {
			return program{Kind: progShell}, true
		}
	}
	return program{}, false
}

// listDir lists a directory: the catalog's listing, else the names implied
// by the known directories and files below it. ok is false when nothing is
// known there.
func (r *repoSpec) listDir(dir string) ([]string, bool) {
	if e, ok := r.Dirs[dir]; ok {
		return e, true
	}
	prefix := strings.TrimSuffix(dir, "/") + "/"
	seen := map[string]bool{}
	add := func(path string) {
		if rest, ok := strings.CutPrefix(path, prefix); ok && rest != "" {
			name, _, _ := strings.Cut(rest, "/")
			seen[name] = true
		}
	}
	for k := range r.Dirs {
		add(k)
	}
	for k := range r.Files {
		add(k)
	}
	if len(seen) == 0 {
		return nil, dir == "/"
	}
	return slices.Sorted(maps.Keys(seen)), true
}

// compareVersions compares dotted numeric versions ("1.29.6" < "1.31.0").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			fmt.Sscanf(as[i], "%d", &x)
		}
		if i < len(bs) {
			fmt.Sscanf(bs[i], "%d", &y)
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
