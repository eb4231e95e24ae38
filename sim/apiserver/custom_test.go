package apiserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestCustomVersionsAndWatch: a CRD serving v1beta1, v2 and v1 (storage)
// lists them in discovery by kube-aware priority (v2 preferred); an object created through
// v1 reads, lists and watches as v2 through v2 (the None conversion).
func TestCustomVersionsAndWatch(t *testing.T) {
	s, _ := newTestServer(t)
	twoVersions := strings.Replace(cronTabCRD, `"versions":[{"name":"v1"`, `"versions":[{"name":"v1beta1","served":true,"storage":false,"schema":{"openAPIV3Schema":SCHEMA}},{"name":"v2","served":true,"storage":false,"schema":{"openAPIV3Schema":SCHEMA}},{"name":"v1"`, 1)
	code, out := do(t, s, http.MethodPost, crdPath, "application/json", strings.ReplaceAll(twoVersions, "SCHEMA", cronTabSchema))
	if code != http.StatusCreated {
		t.Fatalf("create crd: %d %s", code, out)
	}
	var crd map[string]any
	json.Unmarshal([]byte(out), &crd)
	crd["status"].(map[string]any)["acceptedNames"] = crd["spec"].(map[string]any)["names"]
	crd["status"].(map[string]any)["conditions"] = []any{map[string]any{"type": "Established", "status": "True", "lastTransitionTime": "2023-04-20T00:00:00Z"}}
	b, _ := json.Marshal(crd)
	if code, out := do(t, s, http.MethodPut, crdPath+"/crontabs.stable.example.com/status", "application/json", string(b)); code != http.StatusOK {
		t.Fatalf("establish: %d %s", code, out)
	}
	if code, out := do(t, s, http.MethodPost, cronTabPath, "application/json", goodCronTab); code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, out)
	}
	_, out = do(t, s, http.MethodGet, "/apis/stable.example.com", "", "")
	if want := `"versions":[{"groupVersion":"stable.example.com/v2","version":"v2"},{"groupVersion":"stable.example.com/v1","version":"v1"},{"groupVersion":"stable.example.com/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"stable.example.com/v2","version":"v2"}`; !strings.Contains(out, want) {
		t.Errorf("group discovery:\n%s\nwant it to contain\n%s", out, want)
	}
	v2 := strings.Replace(cronTabPath, "/v1/", "/v2/", 1)
	for _, p := range []string{v2 + "/ct", v2, v2 + "?watch=true&resourceVersion=0"} {
		code, out := do(t, s, http.MethodGet, p, "", "")
		if code != http.StatusOK || !strings.Contains(out, `"apiVersion":"stable.example.com/v2","kind":"CronTab"`) || strings.Contains(out, "stable.example.com/v1") {
			t.Errorf("GET %s: %d\n%s", p, code, out)
		}
	}
	code, out = do(t, s, http.MethodPatch, cronTabPath+"/ct", "application/strategic-merge-patch+json", `{"spec":{"image":"x"}}`)
	if code != http.StatusUnsupportedMediaType {
		t.Errorf("strategic merge patch of a custom object: %d %s", code, out)
	}
	code, out = do(t, s, http.MethodPatch, cronTabPath+"/ct", "application/merge-patch+json", `{"spec":{"image":"x"}}`)
	if code != http.StatusOK || !strings.Contains(out, `"image":"x"`) || !strings.Contains(out, `"generation":2`) {
		t.Errorf("merge patch: %d %s", code, out)
	}
}
