package killercoda

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

const realDir = "../testdata/killercoda/"

func TestLoadRealScenarios(t *testing.T) {
	type stepSum struct {
		Title, Text, Verify string
		Execs               int
	}
	type summary struct {
		Title      string
		ImageID    string
		Nodes      []Node
		IntroBG    string
		IntroFG    string
		Steps      []stepSum
		FinishText string
	}
	cp1 := []Node{{Name: "controlplane", Role: "control-plane", IP: "172.30.1.2"}}
	tests := []struct {
		dir  string
		want summary
	}{
		{
			dir: "saltyrucula-01-kubectl-core",
			want: summary{
				Title: "01 · kubectl Core", ImageID: "kubernetes-kubeadm-1node", Nodes: cp1,
				IntroBG: "background.sh",
				Steps: []stepSum{
					{"Create namespace and Pod", "step1/text.md", "step1/verify.sh", 0},
					{"Add labels", "step2/text.md", "step2/verify.sh", 0},
					{"Add annotation", "step3/text.md", "step3/verify.sh", 0},
					{"Create YAML declaratively", "step4/text.md", "step4/verify.sh", 0},
					{"Delete by label", "step5/text.md", "step5/verify.sh", 0},
				},
				FinishText: "finish.md",
			},
		},
		{
			dir: "saltyrucula-04-scheduling",
			want: summary{
				Title: "04 · Scheduling", ImageID: "kubernetes-kubeadm-1node", Nodes: cp1,
				IntroBG: "background.sh",
				Steps: []stepSum{
					{"Label a node", "step1/text.md", "step1/verify.sh", 0},
					{"Use nodeSelector", "step2/text.md", "step2/verify.sh", 0},
					{"Taint and tolerate", "step3/text.md", "step3/verify.sh", 0},
					{"Node affinity", "step4/text.md", "step4/verify.sh", 0},
					{"PriorityClass", "step5/text.md", "step5/verify.sh", 0},
				},
				FinishText: "finish.md",
			},
		},
		{
			// Katacoda's courseData as the intro's background script.
			dir: "omkar-ckad-scale-web-application-service",
			want: summary{
				Title: "CKAD: Scale Web Application and Create NodePort Service", ImageID: "kubernetes-kubeadm-2nodes",
				Nodes: []Node{
					{Name: "controlplane", Role: "control-plane", IP: "172.30.1.2", NoScheduleTaint: true},
					{Name: "node01", Role: "worker", IP: "172.30.2.2"},
				},
				IntroBG:    "setup.sh",
				Steps:      []stepSum{{"Scale Deployment and Create NodePort Service", "step1.md", "verify.sh", 0}},
				FinishText: "finish.md",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			sc, err := LoadDir(realDir + tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			got := summary{
				Title: sc.Title, ImageID: sc.ImageID, Nodes: sc.Topology.Nodes,
				IntroBG: sc.Intro.Background.Path, IntroFG: sc.Intro.Foreground.Path,
				FinishText: sc.Finish.TextFile,
			}
			for _, st := range sc.Steps {
				got.Steps = append(got.Steps, stepSum{st.Title, st.TextFile, st.Verify.Path, len(st.Text.Execs)})
				if !strings.Contains(st.Verify.Body, "kubectl") {
					t.Errorf("step %q: verify body not read: %q", st.Title, st.Verify.Body)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LoadDir(%s) mismatch (-want +got):\n%s", tt.dir, diff)
			}
			if sc.Name != tt.dir {
				t.Errorf("Name = %q, want %q", sc.Name, tt.dir)
			}
		})
	}
}

func TestLoadRealSolutionDetails(t *testing.T) {
	sc, err := LoadDir(realDir + "omkar-ckad-scale-web-application-service")
	if err != nil {
		t.Fatal(err)
	}
	sol := sc.Steps[0].Text.Details(false)
	if len(sol) != 1 || sol[0].Summary != "📋 Complete Solution (Click to expand)" {
		t.Fatalf("solution details = %+v, want one titled %q", sol, "📋 Complete Solution (Click to expand)")
	}
	if len(sc.Steps[0].Text.Details(true)) != 0 {
		t.Errorf("found a hint; the step has none")
	}
	var codes int
	for _, b := range sol[0].Children {
		if b.Kind == BlockCode {
			codes++
		}
	}
	if codes != 6 {
		t.Errorf("solution holds %d code blocks, want 6", codes)
	}
}

func minimalIndex(imageid string) string {
	return `{"title":"t","details":{"steps":[{"title":"s1","text":"step1.md","verify":"verify.sh"}]},"backend":{"imageid":"` + imageid + `"}}`
}

func TestLoadErrors(t *testing.T) {
	ok := fstest.MapFS{
		"step1.md":  {Data: []byte("# one\n")},
		"verify.sh": {Data: []byte("true\n")},
	}
	with := func(files map[string]string) fstest.MapFS {
		m := fstest.MapFS{}
		for k, v := range ok {
			m[k] = v
		}
		for k, v := range files {
			if v == "" {
				delete(m, k)
				continue
			}
			m[k] = &fstest.MapFile{Data: []byte(v)}
		}
		return m
	}
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		want  string
		isNot bool // errors.Is(err, fs.ErrNotExist)
	}{
		{"no index.json", with(nil), "sc: no index.json: not a killercoda scenario", false},
		{"malformed index.json", with(map[string]string{"index.json": "{\n  \"title\": \"t\",\n  \"details\": {\n}\n"}),
			"sc/index.json: invalid JSON: the file ends too early (line 5): an object or list is not closed", false},
		{"syntax error", with(map[string]string{"index.json": "{\n  \"title\": \"t\"\n  \"backend\": {}\n}"}),
			"sc/index.json: invalid JSON at line 3, column 3: invalid character '\"' after object key:value pair", false},
		{"wrong type", with(map[string]string{"index.json": `{"title":"t","details":{"steps":{"text":"x"}}}`}),
			"sc/index.json: line 1, column 34: field \"details.steps\" must be a list, not a JSON object", false},
		{"missing step file", with(map[string]string{"index.json": minimalIndex("kubernetes-kubeadm-1node"), "step1.md": ""}),
			`sc/index.json: details.steps[0].text names "step1.md", which does not exist: file does not exist`, true},
		{"missing verify file", with(map[string]string{"index.json": minimalIndex("kubernetes-kubeadm-1node"), "verify.sh": ""}),
			`sc/index.json: details.steps[0].verify names "verify.sh", which does not exist: file does not exist`, true},
		{"empty verify script", with(map[string]string{"index.json": minimalIndex("kubernetes-kubeadm-1node"), "verify.sh": "  \n"}),
			"sc/verify.sh: script is empty", false},
		{"unknown imageid", with(map[string]string{"index.json": minimalIndex("ubuntu")}),
			`sc/index.json: unknown backend.imageid "ubuntu" (known: kubernetes-k3s-1node, kubernetes-kubeadm-1node, kubernetes-kubeadm-1node-rapid, kubernetes-kubeadm-2nodes, kubernetes-kubeadm-2nodes-rapid, kubesim-kubeadm-2nodes-v1.27, kubesim-lecture)`, false},
		{"missing imageid", with(map[string]string{"index.json": `{"title":"t"}`}),
			`sc/index.json: backend.imageid is missing (known: kubernetes-k3s-1node, kubernetes-kubeadm-1node, kubernetes-kubeadm-1node-rapid, kubernetes-kubeadm-2nodes, kubernetes-kubeadm-2nodes-rapid, kubesim-kubeadm-2nodes-v1.27, kubesim-lecture)`, false},
		{"path leaves the scenario", with(map[string]string{"index.json": `{"details":{"intro":{"text":"../x.md"}},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`}),
			`sc/index.json: details.intro.text: path "../x.md" leaves the scenario directory`, false},
		{"absolute path", with(map[string]string{"index.json": `{"details":{"intro":{"background":"/etc/x.sh"}},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`}),
			`sc/index.json: details.intro.background: path "/etc/x.sh" is absolute; paths are relative to the scenario directory`, false},
		{"background and courseData", with(map[string]string{"a.sh": "true", "b.sh": "true",
			"index.json": `{"details":{"intro":{"background":"a.sh","courseData":"b.sh"}},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`}),
			`sc/index.json: details.intro: both "background" and its Katacoda alias "courseData" are set`, false},
		{"verify on intro", with(map[string]string{"index.json": `{"details":{"intro":{"verify":"verify.sh"}},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`}),
			`sc/index.json: details.intro.verify: only steps have a verify script`, false},
		{"asset without target", with(map[string]string{"index.json": `{"details":{"assets":{"host01":[{"file":"a.yaml"}]}},"backend":{"imageid":"kubernetes-kubeadm-1node"}}`}),
			`sc/index.json: details.assets.host01[0]: file and target are both required`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.fsys, "sc", "sc")
			if err == nil {
				t.Fatalf("Load succeeded, want %q", tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			if got := errors.Is(err, fs.ErrNotExist); got != tt.isNot {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %v, want %v", got, tt.isNot)
			}
		})
	}
}

func TestLoadKatacodaAliasesAndCourse(t *testing.T) {
	fsys := fstest.MapFS{
		"structure.json":       {Data: []byte(`{"title":"course","items":[{"path":"b"},{"path":"a"}]}`)},
		"a/index.json":         {Data: []byte(`{"title":"A","details":{"steps":[{"text":"s.md","code":"fg.sh","answer":"ans.md"}]},"backend":{"imageid":"kubernetes-kubeadm-2nodes-rapid"}}`)},
		"a/s.md":               {Data: []byte("## Run it\n\nno blocks here\n")},
		"a/fg.sh":              {Data: []byte("echo hi\n")},
		"a/ans.md":             {Data: []byte("`kubectl get pods`{{execute}}\n")},
		"b/index.json":         {Data: []byte(`{"title":"B","backend":{"imageid":"kubernetes-k3s-1node"}}`)},
		"b/unrelated/file.txt": {Data: []byte("x")},
	}
	if !IsCourse(fsys) {
		t.Fatal("IsCourse = false, want true")
	}
	c, err := LoadCourse(fsys, "course", "course")
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, sc := range c.Scenarios {
		titles = append(titles, sc.Title)
	}
	if diff := cmp.Diff([]string{"B", "A"}, titles); diff != "" {
		t.Errorf("course order mismatch (-want +got):\n%s", diff)
	}
	a := c.Scenarios[1]
	st := a.Steps[0]
	if st.Title != "Run it" {
		t.Errorf("step title from first heading = %q, want %q", st.Title, "Run it")
	}
	if st.Foreground.Path != "fg.sh" {
		t.Errorf("code alias: foreground = %q, want fg.sh", st.Foreground.Path)
	}
	if diff := cmp.Diff([]Exec{{N: 1, Code: "kubectl get pods"}}, stepExecs(st)); diff != "" {
		t.Errorf("answer execs mismatch (-want +got):\n%s", diff)
	}
	if a.Topology.Distribution != "kubeadm" || len(a.Topology.Nodes) != 2 {
		t.Errorf("rapid 2nodes topology = %+v", a.Topology)
	}
	if got := c.Scenarios[0].Topology; got.Distribution != "k3s" || len(got.Nodes) != 1 || got.Nodes[0].NoScheduleTaint {
		t.Errorf("k3s topology = %+v", got)
	}

	bad := fstest.MapFS{"structure.json": {Data: []byte(`{"items":[{"path":"missing"}]}`)}}
	if _, err := LoadCourse(bad, "c", "c"); err == nil || err.Error() != "c/missing: no index.json: not a killercoda scenario" {
		t.Errorf("LoadCourse(missing item) error = %v", err)
	}
}

func TestTopologyFor(t *testing.T) {
	tests := []struct {
		id        string
		names     []string
		cpTainted bool
	}{
		{"kubernetes-kubeadm-1node", []string{"controlplane"}, false},
		{"kubernetes-kubeadm-1node-rapid", []string{"controlplane"}, false},
		{"kubernetes-kubeadm-2nodes", []string{"controlplane", "node01"}, true},
		{"kubernetes-kubeadm-2nodes-rapid", []string{"controlplane", "node01"}, true},
		{"kubernetes-k3s-1node", []string{"controlplane"}, false},
		{LectureImageID, []string{"m.example.com", "w1.example.com", "w2.example.com"}, true},
		{UpgradeImageID, []string{"controlplane", "node01"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			top, err := TopologyFor(tt.id)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, n := range top.Nodes {
				names = append(names, n.Name)
			}
			if diff := cmp.Diff(tt.names, names); diff != "" {
				t.Errorf("nodes mismatch (-want +got):\n%s", diff)
			}
			if top.Nodes[0].Role != "control-plane" || top.Nodes[0].NoScheduleTaint != tt.cpTainted {
				t.Errorf("control plane = %+v, want tainted=%v", top.Nodes[0], tt.cpTainted)
			}
			if top.ImageID != tt.id {
				t.Errorf("ImageID = %q", top.ImageID)
			}
			wantYear := 2025
			switch tt.id {
			case LectureImageID:
				wantYear = 2023
			case UpgradeImageID:
				wantYear = 2024
			}
			if top.Date.Year() != wantYear {
				t.Errorf("Date = %v, want a day in %d", top.Date, wantYear)
			}
		})
	}
}

func TestLoadPath(t *testing.T) {
	dir := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("structure.json", `{"items":[{"path":"two"},{"path":"one"}]}`)
	for _, n := range []string{"one", "two"} {
		write(n+"/index.json", `{"title":"`+n+`","backend":{"imageid":"kubernetes-kubeadm-1node"}}`)
		write(n+"/index.ko.json", `{"title":"`+n+`-ko","backend":{"imageid":"kubernetes-kubeadm-1node"}}`)
	}
	for _, tc := range []struct {
		path, lang string
		want       []string
	}{
		{dir, "", []string{"two", "one"}},
		{dir, "ko", []string{"two-ko", "one-ko"}},
		{filepath.Join(dir, "one"), "", []string{"one"}},
		{filepath.Join(dir, "one"), "ko", []string{"one-ko"}},
	} {
		scs, err := LoadPath(tc.path, tc.lang)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, sc := range scs {
			got = append(got, sc.Title)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("LoadPath(%s, %q) mismatch (-want +got):\n%s", tc.path, tc.lang, diff)
		}
	}
	if _, err := LoadPath(filepath.Join(dir, "one"), "fr"); err == nil || !strings.Contains(err.Error(), `no index.fr.json: the scenario has no "fr" translation (languages: en, ko)`) {
		t.Errorf("LoadPath(fr) error = %v", err)
	}
}
