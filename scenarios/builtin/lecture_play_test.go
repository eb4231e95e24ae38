package builtin

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/scenarios/killercoda"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// shimEnv runs scripts with testdata/fakebin first on PATH: a kubectl and a
// curl that know the lecture scenario and nothing else. It checks the
// scenario's own logic (each verify fails before its step and passes after),
// not the cluster.
type shimEnv struct {
	state string
	bin   string
	calls []string
}

func newShimEnv(t *testing.T) *shimEnv {
	bin, err := filepath.Abs("testdata/fakebin")
	if err != nil {
		t.Fatal(err)
	}
	return &shimEnv{state: t.TempDir(), bin: bin}
}

func (e *shimEnv) Run(_ context.Context, line string, stdout, _ io.Writer) (int, error) {
	e.calls = append(e.calls, line)
	io.WriteString(stdout, "(practice shell) "+line+"\n")
	return 0, nil
}

func (e *shimEnv) Advance(d time.Duration) error {
	e.calls = append(e.calls, "advance "+d.String())
	return nil
}

func (e *shimEnv) Directive(string, []string) error { return nil }

func (e *shimEnv) ScriptEnv() []string {
	return []string{"PATH=" + e.bin + ":/usr/bin:/bin", "FAKE_STATE=" + e.state, "LC_ALL=C"}
}

func TestLectureScenarioTest(t *testing.T) {
	tests := []struct {
		lang string
		want string
	}{
		{"en", "PASS step 1/3 Look at the cluster: no verify script; its blocks ran\n" +
			"PASS step 2/3 Run a pod\n" +
			"PASS step 3/3 Reach the pod, then clean up\n" +
			"3 passed, 0 failed\n"},
		{"ko", "PASS step 1/3 클러스터 둘러보기: no verify script; its blocks ran\n" +
			"PASS step 2/3 파드 실행\n" +
			"PASS step 3/3 파드 접속과 정리\n" +
			"3 passed, 0 failed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			sc, err := ScenarioLang("lecture-04", tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			res, err := killercoda.Test(context.Background(), sc, newShimEnv(t), &out, killercoda.TestConfig{ScriptTimeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("Test output mismatch (-want +got):\n%s", diff)
			}
			if !res.OK() {
				t.Errorf("result not OK: %+v", res)
			}
		})
	}
}

// TestLecturePlay plays the lecture scenario to its end the way a learner
// types it, and compares the whole session with a golden file.
func TestLecturePlay(t *testing.T) {
	for _, lang := range []string{"en", "ko"} {
		t.Run(lang, func(t *testing.T) { testLecturePlay(t, lang) })
	}
}

func testLecturePlay(t *testing.T, lang string) {
	sc, err := ScenarioLang("lecture-04", lang)
	if err != nil {
		t.Fatal(err)
	}
	in := strings.NewReader(strings.Join([]string{
		"vagrant status",
		"exec 1",
		"check",
		"next",
		"check",
		"hint",
		"exec 1",
		"check",
		"solution",
		"exec 1",
		"exec 2",
		"check",
	}, "\n") + "\n")
	env := newShimEnv(t)
	var out strings.Builder
	if err := killercoda.Play(context.Background(), sc, env, in, &out, killercoda.PlayConfig{WorkDir: t.TempDir(), ScriptTimeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	golden := "testdata/lecture-04-play.golden"
	if lang != "en" {
		golden = "testdata/lecture-04-play." + lang + ".golden"
	}
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("Play session mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(out.String(), map[string]string{"en": "Scenario complete: 3 of 3 steps done.\n", "ko": "시나리오 완료: 3/3 단계를 마쳤습니다.\n"}[lang]) {
		t.Errorf("the scenario did not finish")
	}
}
