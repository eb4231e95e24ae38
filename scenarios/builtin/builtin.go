package builtin

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"kubesim/scenarios/killercoda"
	"kubesim/scenarios/transcript"
)

//go:embed content
var content embed.FS

const (
	scenarioDir   = "content/scenarios"
	transcriptDir = "content/transcripts"
	transcriptExt = ".txt"
)

// ScenarioNames lists the built-in scenarios, sorted.
func ScenarioNames() []string {
	entries, _ := fs.ReadDir(content, scenarioDir)
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// TranscriptNames lists the built-in transcripts by name (file name without
// .txt), sorted.
func TranscriptNames() []string {
	entries, _ := fs.ReadDir(content, transcriptDir)
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), transcriptExt) {
			names = append(names, strings.TrimSuffix(e.Name(), transcriptExt))
		}
	}
	sort.Strings(names)
	return names
}

// Scenario loads the built-in scenario name ("lecture-04") in English. An
// unknown name is an error listing the known ones.
func Scenario(name string) (*killercoda.Scenario, error) { return ScenarioLang(name, "") }

// ScenarioLang loads the built-in scenario name in language lang: "" or
// "en" for English, "ko" for Korean (see Languages).
func ScenarioLang(name, lang string) (*killercoda.Scenario, error) {
	sub, err := scenarioFS(name)
	if err != nil {
		return nil, err
	}
	return killercoda.LoadLang(sub, lang, name, "builtin:"+name)
}

// Languages lists the languages a built-in scenario is written in.
func Languages(name string) ([]string, error) {
	sub, err := scenarioFS(name)
	if err != nil {
		return nil, err
	}
	return killercoda.Languages(sub), nil
}

func scenarioFS(name string) (fs.FS, error) {
	if !contains(ScenarioNames(), name) {
		return nil, fmt.Errorf("no built-in scenario %q (built-in: %s)", name, strings.Join(ScenarioNames(), ", "))
	}
	return fs.Sub(content, path.Join(scenarioDir, name))
}

// Transcript parses the built-in transcript name ("lecture-04"). An unknown
// name is an error listing the known ones.
func Transcript(name string) (*transcript.Transcript, error) {
	if !contains(TranscriptNames(), name) {
		return nil, fmt.Errorf("no built-in transcript %q (built-in: %s)", name, strings.Join(TranscriptNames(), ", "))
	}
	f, err := content.Open(path.Join(transcriptDir, name+transcriptExt))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return transcript.Parse(name+transcriptExt, f)
}

// TranscriptSource returns the raw text of a built-in transcript, for
// showing it or writing it out.
func TranscriptSource(name string) ([]byte, error) {
	if !contains(TranscriptNames(), name) {
		return nil, fmt.Errorf("no built-in transcript %q (built-in: %s)", name, strings.Join(TranscriptNames(), ", "))
	}
	return content.ReadFile(path.Join(transcriptDir, name+transcriptExt))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
