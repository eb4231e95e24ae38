package killercoda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Scenario is a loaded killercoda scenario: every file it names has been
// read, every markdown file parsed, and its imageid mapped to a topology.
type Scenario struct {
	// Name is the directory's base name (or the built-in name).
	Name string
	// Source names where it came from in messages: a directory path or
	// "builtin:NAME".
	Source string
	// Lang is the translation loaded ("" for index.json).
	Lang        string
	Title       string
	Description string
	Intro       Page
	Steps       []Step
	Finish      Page
	Assets      []Asset
	ImageID     string
	Topology    Topology
	// Layout is interface.layout ("terminal", "ide", …), informational.
	Layout string

	// files is the scenario directory, for assets.
	files fs.FS
}

// Files is the scenario's directory, which its step texts' relative
// images and links point into; nil for a scenario not loaded from one.
func (s *Scenario) Files() fs.FS { return s.files }

// Page is the intro, a step or the finish.
type Page struct {
	Title string
	// TextFile is the markdown file's path in the scenario ("" when none).
	TextFile string
	Text     *Markdown
	// Background runs hidden when the page starts (Katacoda: courseData),
	// its output going to a log; Foreground runs in the learner's terminal
	// (Katacoda: code).
	Background Script
	Foreground Script
}

// Step is one step: a page plus its verify script and, for Katacoda
// scenarios, an answer page.
type Step struct {
	Page
	Verify Script
	// Answer is Katacoda's "answer" markdown (nil when none).
	Answer *Markdown
}

// Script is a bash script of the scenario; the zero Script means none.
type Script struct {
	// Path is the script's path in the scenario, used in messages.
	Path string
	Body string
}

// IsZero reports whether there is no script.
func (s Script) IsZero() bool { return s.Path == "" }

// Asset is one details.assets entry: files under the scenario's assets/
// folder copied to Target on a host before the scenario starts.
type Asset struct {
	Host   string
	File   string // a path or glob under assets/ ("*", "**", "app1/**/*.json")
	Target string
	Chmod  string
}

// Course is a directory with structure.json listing scenarios in order.
type Course struct {
	Name      string
	Source    string
	Title     string
	Scenarios []*Scenario
}

// JSON shapes of index.json and structure.json. Unknown fields are ignored,
// as killercoda ignores them.
type indexJSON struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Details     struct {
		Intro  pageJSON               `json:"intro"`
		Steps  []pageJSON             `json:"steps"`
		Finish pageJSON               `json:"finish"`
		Assets map[string][]assetJSON `json:"assets"`
	} `json:"details"`
	Backend struct {
		ImageID string `json:"imageid"`
	} `json:"backend"`
	Interface struct {
		Layout string `json:"layout"`
	} `json:"interface"`
}

type pageJSON struct {
	Title      string `json:"title"`
	Text       string `json:"text"`
	Verify     string `json:"verify"`
	Background string `json:"background"`
	Foreground string `json:"foreground"`
	CourseData string `json:"courseData"` // Katacoda: background
	Code       string `json:"code"`       // Katacoda: foreground
	Answer     string `json:"answer"`     // Katacoda: solution markdown
}

type assetJSON struct {
	File   string `json:"file"`
	Target string `json:"target"`
	Chmod  string `json:"chmod"`
}

type structureJSON struct {
	Title string `json:"title"`
	Items []struct {
		Path string `json:"path"`
	} `json:"items"`
}

// LoadDir loads the scenario in directory dir (it must hold index.json).
func LoadDir(dir string) (*Scenario, error) { return LoadDirLang(dir, "") }

// LoadDirLang loads the translation lang of the scenario in directory dir.
func LoadDirLang(dir, lang string) (*Scenario, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("scenario: %s is not a directory", dir)
	}
	return LoadLang(os.DirFS(dir), lang, filepath.Base(filepath.Clean(dir)), dir)
}

// LoadPath loads what a directory holds: one scenario (index.json, or its
// translation lang), or every scenario of a course (structure.json), in
// order.
func LoadPath(dir, lang string) ([]*Scenario, error) {
	fsys := os.DirFS(dir)
	if IsCourse(fsys) {
		c, err := LoadCourseLang(fsys, lang, filepath.Base(filepath.Clean(dir)), dir)
		if err != nil {
			return nil, err
		}
		return c.Scenarios, nil
	}
	sc, err := LoadDirLang(dir, lang)
	if err != nil {
		return nil, err
	}
	return []*Scenario{sc}, nil
}

// LoadCourseDir loads the course in directory dir (it must hold
// structure.json).
func LoadCourseDir(dir string) (*Course, error) {
	return LoadCourse(os.DirFS(dir), filepath.Base(filepath.Clean(dir)), dir)
}

// IsCourse reports whether fsys is a course (structure.json and no
// index.json) rather than a scenario.
func IsCourse(fsys fs.FS) bool {
	if _, err := fs.Stat(fsys, "index.json"); err == nil {
		return false
	}
	_, err := fs.Stat(fsys, "structure.json")
	return err == nil
}

// LoadCourse reads structure.json in fsys and loads each scenario it lists.
func LoadCourse(fsys fs.FS, name, source string) (*Course, error) {
	return LoadCourseLang(fsys, "", name, source)
}

// LoadCourseLang is LoadCourse with each scenario in translation lang.
func LoadCourseLang(fsys fs.FS, lang, name, source string) (*Course, error) {
	file := path.Join(source, "structure.json")
	data, err := fs.ReadFile(fsys, "structure.json")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var st structureJSON
	if err := decodeJSON(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(st.Items) == 0 {
		return nil, fmt.Errorf("%s: no items", file)
	}
	c := &Course{Name: name, Source: source, Title: st.Title}
	for i, it := range st.Items {
		p, err := cleanPath(it.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: items[%d].path: %w", file, i, err)
		}
		sub, err := fs.Sub(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("%s: items[%d].path: %w", file, i, err)
		}
		sc, err := LoadLang(sub, lang, path.Base(p), path.Join(source, p))
		if err != nil {
			return nil, err
		}
		c.Scenarios = append(c.Scenarios, sc)
	}
	return c, nil
}

// Load reads the scenario whose index.json is at the root of fsys. name is
// its short name; source names it in messages (a directory path, or
// "builtin:NAME"). Errors name the file and what is wrong with it.
func Load(fsys fs.FS, name, source string) (*Scenario, error) {
	return LoadLang(fsys, "", name, source)
}

// IndexFile is the index a language reads: index.json for "" and "en",
// index.LANG.json otherwise. Killercoda itself reads only index.json; a
// translation is a second index beside it naming its own text files and
// sharing the scripts.
func IndexFile(lang string) string {
	if lang == "" || lang == "en" {
		return "index.json"
	}
	return "index." + lang + ".json"
}

// Languages lists the languages fsys has an index for, sorted ("en" for
// index.json).
func Languages(fsys fs.FS) []string {
	var langs []string
	entries, _ := fs.ReadDir(fsys, ".")
	for _, e := range entries {
		n := e.Name()
		switch {
		case n == "index.json":
			langs = append(langs, "en")
		case strings.HasPrefix(n, "index.") && strings.HasSuffix(n, ".json"):
			langs = append(langs, strings.TrimSuffix(strings.TrimPrefix(n, "index."), ".json"))
		}
	}
	sort.Strings(langs)
	return langs
}

// LoadLang is Load for the translation lang (see IndexFile).
func LoadLang(fsys fs.FS, lang, name, source string) (*Scenario, error) {
	l := &loader{fsys: fsys, source: source, index: IndexFile(lang)}
	data, err := fs.ReadFile(fsys, l.index)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && l.index == "index.json" {
			return nil, fmt.Errorf("%s: no index.json: not a killercoda scenario", source)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no %s: the scenario has no %q translation (languages: %s)", source, l.index, lang, strings.Join(Languages(fsys), ", "))
		}
		return nil, fmt.Errorf("%s: %w", l.file(l.index), err)
	}
	var ix indexJSON
	if err := decodeJSON(data, &ix); err != nil {
		return nil, fmt.Errorf("%s: %w", l.file(l.index), err)
	}
	sc := &Scenario{Lang: lang,
		Name: name, Source: source, Title: ix.Title, Description: ix.Description,
		ImageID: ix.Backend.ImageID, Layout: ix.Interface.Layout, files: fsys,
	}
	if sc.Topology, err = TopologyFor(ix.Backend.ImageID); err != nil {
		return nil, fmt.Errorf("%s: %w", l.file(l.index), err)
	}
	if sc.Intro, err = l.page("details.intro", ix.Details.Intro, false); err != nil {
		return nil, err
	}
	for i, pj := range ix.Details.Steps {
		where := fmt.Sprintf("details.steps[%d]", i)
		pg, err := l.page(where, pj, true)
		if err != nil {
			return nil, err
		}
		st := Step{Page: pg}
		if st.Verify, err = l.script(where+".verify", pj.Verify); err != nil {
			return nil, err
		}
		if pj.Answer != "" {
			if st.Answer, err = l.markdown(where+".answer", pj.Answer); err != nil {
				return nil, err
			}
		}
		if st.Title == "" {
			st.Title = firstHeading(st.Text)
		}
		if st.Title == "" {
			st.Title = fmt.Sprintf("Step %d", i+1)
		}
		sc.Steps = append(sc.Steps, st)
	}
	if sc.Finish, err = l.page("details.finish", ix.Details.Finish, false); err != nil {
		return nil, err
	}
	hosts := slices.Sorted(maps.Keys(ix.Details.Assets))
	for _, h := range hosts {
		for i, a := range ix.Details.Assets[h] {
			if a.File == "" || a.Target == "" {
				return nil, fmt.Errorf("%s: details.assets.%s[%d]: file and target are both required", l.file(l.index), h, i)
			}
			sc.Assets = append(sc.Assets, Asset{Host: h, File: a.File, Target: a.Target, Chmod: a.Chmod})
		}
	}
	if sc.Title == "" {
		sc.Title = name
	}
	return sc, nil
}

type loader struct {
	fsys   fs.FS
	source string
	index  string // "index.json" or "index.LANG.json"
}

func (l *loader) file(p string) string { return path.Join(l.source, p) }

func (l *loader) page(where string, pj pageJSON, isStep bool) (Page, error) {
	pg := Page{Title: pj.Title, TextFile: pj.Text}
	var err error
	if pj.Text != "" {
		if pg.Text, err = l.markdown(where+".text", pj.Text); err != nil {
			return Page{}, err
		}
	} else {
		pg.Text = ParseMarkdown("")
	}
	if !isStep && pj.Verify != "" {
		return Page{}, fmt.Errorf("%s: %s.verify: only steps have a verify script", l.file(l.index), where)
	}
	bg, err := alias(where, "background", pj.Background, "courseData", pj.CourseData)
	if err != nil {
		return Page{}, fmt.Errorf("%s: %w", l.file(l.index), err)
	}
	fg, err := alias(where, "foreground", pj.Foreground, "code", pj.Code)
	if err != nil {
		return Page{}, fmt.Errorf("%s: %w", l.file(l.index), err)
	}
	if pg.Background, err = l.script(where+".background", bg); err != nil {
		return Page{}, err
	}
	if pg.Foreground, err = l.script(where+".foreground", fg); err != nil {
		return Page{}, err
	}
	return pg, nil
}

func alias(where, name, v, katacoda, kv string) (string, error) {
	if v != "" && kv != "" && v != kv {
		return "", fmt.Errorf("%s: both %q and its Katacoda alias %q are set", where, name, katacoda)
	}
	if v != "" {
		return v, nil
	}
	return kv, nil
}

func (l *loader) read(where, p string) (string, string, error) {
	cp, err := cleanPath(p)
	if err != nil {
		return "", "", fmt.Errorf("%s: %s: %w", l.file(l.index), where, err)
	}
	data, err := fs.ReadFile(l.fsys, cp)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("%s: %s names %q, which does not exist: %w", l.file(l.index), where, p, fs.ErrNotExist)
		}
		return "", "", fmt.Errorf("%s: %w", l.file(cp), err)
	}
	return cp, string(data), nil
}

func (l *loader) markdown(where, p string) (*Markdown, error) {
	_, text, err := l.read(where, p)
	if err != nil {
		return nil, err
	}
	return ParseMarkdown(text), nil
}

func (l *loader) script(where, p string) (Script, error) {
	if p == "" {
		return Script{}, nil
	}
	cp, body, err := l.read(where, p)
	if err != nil {
		return Script{}, err
	}
	if strings.TrimSpace(body) == "" {
		return Script{}, fmt.Errorf("%s: script is empty", l.file(cp))
	}
	return Script{Path: cp, Body: body}, nil
}

// cleanPath turns a path from index.json into an fs.FS path inside the
// scenario.
func cleanPath(p string) (string, error) {
	if p == "" {
		return "", errors.New("empty path")
	}
	if strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("path %q is absolute; paths are relative to the scenario directory", p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("path %q leaves the scenario directory", p)
	}
	return c, nil
}

// decodeJSON decodes data into v; a syntax or type error names its line and
// column.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return errors.New("invalid JSON: more than one value")
		}
		return nil
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		line, _ := lineCol(data, int64(len(data)))
		return fmt.Errorf("invalid JSON: the file ends too early (line %d): an object or list is not closed", line)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, the offending one included.
		line, col := lineCol(data, se.Offset-1)
		return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line, col := lineCol(data, te.Offset)
		return fmt.Errorf("line %d, column %d: field %q must be %s, not a JSON %s", line, col, te.Field, kindOf(te.Type.Kind().String()), te.Value)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func kindOf(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return k
}

func lineCol(data []byte, off int64) (int, int) {
	off = max(0, min(off, int64(len(data))))
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func firstHeading(md *Markdown) string {
	if md == nil {
		return ""
	}
	for _, b := range md.Blocks {
		if b.Kind == BlockHeading {
			return plainText(b.Inlines)
		}
	}
	return ""
}

func plainText(in []Inline) string {
	var b strings.Builder
	for _, i := range in {
		b.WriteString(i.Text)
	}
	return strings.TrimSpace(b.String())
}
