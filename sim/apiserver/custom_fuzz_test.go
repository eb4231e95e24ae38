package apiserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const (
	crdPath     = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
	cronTabPath = "/apis/stable.example.com/v1/namespaces/default/crontabs"
	cronTabCRD  = `{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"crontabs.stable.example.com"},
"spec":{"group":"stable.example.com","scope":"Namespaced","names":{"plural":"crontabs","singular":"crontab","kind":"CronTab","shortNames":["ct"]},
"versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":SCHEMA},
"subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}},
"additionalPrinterColumns":[{"name":"Spec","type":"string","jsonPath":".spec.cronSpec"},{"name":"Replicas","type":"integer","jsonPath":".spec.replicas"},{"name":"When","type":"date","jsonPath":".spec.cronSpec"}]}]}}`
	cronTabSchema = `{"type":"object","properties":{"spec":{"type":"object","properties":{"cronSpec":{"type":"string","pattern":"^[*0-9/ ]+$"},"image":{"type":"string","maxLength":20},"replicas":{"type":"integer","minimum":0,"default":1},"mode":{"type":"string","enum":["a","b"]},"tags":{"type":"array","maxItems":2,"items":{"type":"string"}},"extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},"required":["cronSpec"]},"status":{"type":"object","properties":{"replicas":{"type":"integer"}}}}}`
	goodCronTab   = `{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"ct"},"spec":{"cronSpec":"* * * * */5","image":"img"}}`
)

// establish creates the CronTab CRD with schema and marks it Established
// as the crd controller would (the test server runs no controllers); it
// reports whether the CRD was accepted.
func establish(t *testing.T, s *Server, schema string) bool {
	t.Helper()
	code, out := do(t, s, http.MethodPost, crdPath, "application/json", strings.Replace(cronTabCRD, "SCHEMA", schema, 1))
	if code != http.StatusCreated {
		checkStatus(t, "create crd", code, out)
		return false
	}
	var crd map[string]any
	if err := json.Unmarshal([]byte(out), &crd); err != nil {
		t.Fatal(err)
	}
	spec := crd["spec"].(map[string]any)
	status := crd["status"].(map[string]any)
	status["acceptedNames"] = spec["names"]
	status["conditions"] = []any{map[string]any{"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": "2023-04-20T00:00:00Z"}}
	b, _ := json.Marshal(crd)
	if code, out := do(t, s, http.MethodPut, crdPath+"/crontabs.stable.example.com/status", "application/json", string(b)); code != http.StatusOK {
		t.Fatalf("establish: %d %s", code, out)
	}
	return true
}

// FuzzCustomCreate: with mode even the input is a CronTab sent to a
// served CRD; odd, it is the CRD's openAPIV3Schema, and a CronTab is then
// created, listed as a Table and its OpenAPI read. Every answer is a
// created object that reads back the same, or a Status with a 4xx code.
func FuzzCustomCreate(f *testing.F) {
	f.Add(uint8(0), []byte(goodCronTab))
	f.Add(uint8(0), []byte(`{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"ct"},"spec":{"cronSpec":"x","replicas":"string","mode":"c","tags":["a","b","c"],"unknown":1,"extra":{"a":[1,2.5,{"b":null}]}}}`))
	f.Add(uint8(0), []byte(`{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"ct","labels":{"a":1}},"spec":null}`))
	f.Add(uint8(0), []byte("apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: ct\nspec:\n  cronSpec: '1'\nstatus:\n  replicas: 3\n"))
	f.Add(uint8(1), []byte(cronTabSchema))
	f.Add(uint8(1), []byte(`{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"replicas":{"default":"x","type":"integer"}}}}}`))
	f.Add(uint8(1), []byte(`{"type":"object","properties":{"spec":{"anyOf":[{"type":"integer"},{"type":"string"}],"x-kubernetes-int-or-string":true}}}`))
	f.Add(uint8(1), []byte(`{"type":"object","properties":{"spec":{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"}}}}}}`))
	f.Fuzz(func(t *testing.T, mode uint8, body []byte) {
		defer watchdog()()
		s, _ := newTestServer(t)
		cr := goodCronTab
		ct := "application/json"
		if mode%2 == 0 {
			if !establish(t, s, cronTabSchema) {
				t.Fatal("the CronTab CRD was refused")
			}
			cr = string(body)
			if mode%4 == 2 {
				ct = "application/yaml"
			}
		} else if !establish(t, s, string(body)) {
			return
		}
		code, out := do(t, s, http.MethodPost, cronTabPath, ct, cr)
		if code == http.StatusCreated {
			var m struct {
				Metadata struct{ Name string } `json:"metadata"`
			}
			if err := json.Unmarshal([]byte(out), &m); err != nil || m.Metadata.Name == "" {
				t.Fatalf("created CronTab has no name: %v %s", err, out)
			}
			gcode, got := do(t, s, http.MethodGet, cronTabPath+"/"+m.Metadata.Name, "", "")
			if gcode != http.StatusOK || strings.TrimSpace(got) != strings.TrimSpace(out) {
				t.Fatalf("created CronTab reads back differently: %d\n%s\n%s", gcode, out, got)
			}
			for _, sub := range []string{"/scale", "/status"} {
				if c, o := do(t, s, http.MethodGet, cronTabPath+"/"+m.Metadata.Name+sub, "", ""); c >= 500 {
					t.Fatalf("get %s: %d %s", sub, c, o)
				}
			}
		} else {
			checkStatus(t, "create CronTab", code, out)
		}
		req := tableRequest(cronTabPath)
		if c, o := serve(s, req); c != http.StatusOK {
			t.Fatalf("list CronTabs as a Table: %d %s", c, o)
		}
		for _, p := range []string{"/openapi/v3/apis/stable.example.com/v1", "/openapi/v2"} {
			if c, o := do(t, s, http.MethodGet, p, "", ""); c != http.StatusOK {
				t.Fatalf("%s: %d %.300s", p, c, o)
			}
		}
	})
}

func tableRequest(path string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	return req
}

func serve(s *Server, req *http.Request) (int, string) {
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}
