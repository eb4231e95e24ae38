package openapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	openapiv2 "github.com/google/gnostic-models/openapiv2"
	openapiv3 "github.com/google/gnostic-models/openapiv3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kproto "k8s.io/kube-openapi/pkg/util/proto"

	"kubesim/sim/apiserver/openapi"
	"kubesim/sim/registry"
)

var epoch = time.Date(2023, 4, 22, 10, 0, 0, 0, time.UTC)

func service(version string) *openapi.Service {
	var rs []openapi.Resource
	for _, r := range registry.Resources() {
		or := openapi.Resource{GVR: r.GVR, Kind: r.Kind, ListKind: r.ListKind, Namespaced: r.Namespaced, Verbs: r.Verbs}
		for _, s := range r.Subs {
			or.Subs = append(or.Subs, openapi.Subresource{Name: s.Name, Kind: s.Kind, Verbs: s.Verbs})
		}
		rs = append(rs, or)
	}
	return openapi.New(openapi.Config{Version: version, Resources: rs, Scheme: registry.Scheme, Now: func() time.Time { return epoch }})
}

func get(t *testing.T, h http.Handler, url, accept string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

type index struct {
	Paths map[string]struct {
		ServerRelativeURL string `json:"serverRelativeURL"`
	} `json:"paths"`
}

func readIndex(t *testing.T, s *openapi.Service) index {
	t.Helper()
	w := get(t, s, "/openapi/v3", "application/json")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("/openapi/v3: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	var idx index
	if err := json.Unmarshal(w.Body.Bytes(), &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// TestV3Index lists exactly the served group-versions and the discovery
// documents (api, apis, apis/<group>, version), each URL answering its
// document with the hash as ETag and kube-apiserver's cache headers.
func TestV3Index(t *testing.T) {
	s := service("v1.27.1")
	idx := readIndex(t, s)
	want, got := []string{"api", "apis", "version"}, []string(nil)
	groups := map[string]bool{}
	for _, gv := range registry.GroupVersions() {
		if gv.Group == "" {
			want = append(want, "api/"+gv.Version)
		} else {
			want = append(want, "apis/"+gv.Group+"/"+gv.Version)
			if !groups[gv.Group] {
				groups[gv.Group] = true // one group document for its versions (autoscaling v2 and v1)
				want = append(want, "apis/"+gv.Group)
			}
		}
	}
	for k := range idx.Paths {
		got = append(got, k)
	}
	if diff := cmp.Diff(want, got, cmpSorted); diff != "" {
		t.Errorf("index keys (-want +got):\n%s", diff)
	}
	for key, p := range idx.Paths {
		hash := p.ServerRelativeURL[strings.Index(p.ServerRelativeURL, "hash=")+5:]
		w := get(t, s, p.ServerRelativeURL, "application/json")
		if w.Code != 200 {
			t.Fatalf("%s: %d", p.ServerRelativeURL, w.Code)
		}
		h := w.Header()
		if h.Get("Etag") != `"`+hash+`"` || h.Get("Cache-Control") != "public, immutable" ||
			h.Get("Expires") != "Mon, 22 Apr 2024 10:00:00 UTC" || h.Get("Content-Type") != "application/json" {
			t.Errorf("%s headers: %v", key, h)
		}
		if _, err := openapiv3.ParseDocument(w.Body.Bytes()); err != nil {
			t.Errorf("%s does not parse as OpenAPI v3: %v", key, err)
		}
		// A stale hash redirects to the current one.
		w = get(t, s, "/openapi/v3/"+key+"?hash=STALE", "application/json")
		if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != p.ServerRelativeURL {
			t.Errorf("%s stale hash: %d %q", key, w.Code, w.Header().Get("Location"))
		}
		// The protobuf form decodes to the same document.
		w = get(t, s, p.ServerRelativeURL, "application/com.github.proto-openapi.spec.v3@v1.0+protobuf")
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/com.github.proto-openapi.spec.v3.v1.0+protobuf" {
			t.Fatalf("%s protobuf: %d %q", key, w.Code, w.Header().Get("Content-Type"))
		}
		var doc openapiv3.Document
		if err := proto.Unmarshal(w.Body.Bytes(), &doc); err != nil || doc.Components == nil || len(doc.Components.Schemas.AdditionalProperties) == 0 {
			t.Errorf("%s protobuf: %v, %d bytes", key, err, w.Body.Len())
		}
		fromJSON, err := openapiv3.ParseDocument(get(t, s, p.ServerRelativeURL, "application/json").Body.Bytes())
		if err != nil || !proto.Equal(fromJSON, &doc) {
			t.Errorf("%s: protobuf is not the JSON document (%v)", key, err)
		}
	}
	if w := get(t, s, "/openapi/v3/apis/example.com/v1", "application/json"); w.Code != http.StatusNotFound {
		t.Errorf("unserved group-version: %d", w.Code)
	}
	if w := get(t, s, "/openapi/v3/api/v1", "text/html"); w.Code != http.StatusNotAcceptable {
		t.Errorf("text/html: %d, want 406", w.Code)
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

// TestV2Models reads /openapi/v2 as kubectl does (protobuf, then its model
// parser) and checks that every served kind has a model with the
// extensions kubectl's validation and strategic merge patch read.
func TestV2Models(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		s := service(version)
		w := get(t, s, "/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" {
			t.Fatalf("%s /openapi/v2: %d %q", version, w.Code, w.Header().Get("Content-Type"))
		}
		var doc openapiv2.Document
		if err := proto.Unmarshal(w.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Info.Version != version {
			t.Errorf("info.version %q, want %q", doc.Info.Version, version)
		}
		models, err := kproto.NewOpenAPIData(&doc)
		if err != nil {
			t.Fatalf("%s: kubectl's model parser: %v", version, err)
		}
		byGVK := map[schema.GroupVersionKind]string{}
		for _, name := range models.ListModels() {
			m := models.LookupModel(name)
			for _, gvk := range gvks(m.GetExtensions()) {
				byGVK[gvk] = name
			}
		}
		for _, r := range registry.Resources() {
			// SelfSubjectReview went GA in 1.28; kubesim serves v1 on 1.27
			// too, where k8s.io/api has no such type to describe.
			if r.Kind == "SelfSubjectReview" && version == "v1.27.1" {
				continue
			}
			if byGVK[r.GVK()] == "" {
				t.Errorf("%s: no model for %s", version, r.GVK())
			}
		}
		pod, _ := models.LookupModel("io.k8s.api.core.v1.PodSpec").(*kproto.Kind)
		containers, _ := pod.Fields["containers"].(*kproto.Array)
		if containers == nil || containers.GetExtensions()["x-kubernetes-patch-merge-key"] != "name" || containers.GetExtensions()["x-kubernetes-patch-strategy"] != "merge" {
			t.Errorf("%s: PodSpec.containers extensions: %v", version, containers)
		}
		// The JSON form is the same document.
		w = get(t, s, "/openapi/v2", "application/json")
		if doc2, err := openapiv2.ParseDocument(w.Body.Bytes()); err != nil || !proto.Equal(doc2, &doc) {
			t.Errorf("%s: JSON and protobuf differ (%v)", version, err)
		}
		// kube-apiserver gzips the v2 document for clients that accept it.
		w = get(t, s, "/openapi/v2", "application/json", "Accept-Encoding", "gzip")
		if w.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: no gzip", version)
		}
		etag := w.Header().Get("Etag")
		if w = get(t, s, "/openapi/v2", "application/json", "If-None-Match", etag); w.Code != http.StatusNotModified {
			t.Errorf("%s: If-None-Match: %d, want 304", version, w.Code)
		}
	}
}

func gvks(ext map[string]interface{}) []schema.GroupVersionKind {
	var out []schema.GroupVersionKind
	list, _ := ext["x-kubernetes-group-version-kind"].([]interface{})
	for _, v := range list {
		m, _ := v.(map[interface{}]interface{})
		g, _ := m["group"].(string)
		ver, _ := m["version"].(string)
		k, _ := m["kind"].(string)
		out = append(out, schema.GroupVersionKind{Group: g, Version: ver, Kind: k})
	}
	return out
}

// TestFieldValidationDetectable: every served kind that can be patched has
// a PATCH operation with its GVK and the fieldValidation parameter, which is
// how kubectl decides to leave validation to the server.
func TestFieldValidationDetectable(t *testing.T) {
	s := service("v1.33.0")
	idx := readIndex(t, s)
	found := map[schema.GroupVersionKind]bool{}
	for _, p := range idx.Paths {
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		json.Unmarshal(get(t, s, p.ServerRelativeURL, "").Body.Bytes(), &doc)
		for _, item := range doc.Paths {
			var op struct {
				Parameters []struct{ Name, In string } `json:"parameters"`
				GVK        schema.GroupVersionKind     `json:"x-kubernetes-group-version-kind"`
			}
			if item["patch"] == nil {
				continue
			}
			json.Unmarshal(item["patch"], &op)
			for _, prm := range op.Parameters {
				if prm.Name == "fieldValidation" && prm.In == "query" {
					found[op.GVK] = true
				}
			}
		}
	}
	for _, r := range registry.Resources() {
		patchable := false
		for _, v := range r.Verbs {
			patchable = patchable || v == "patch"
		}
		if patchable && !found[r.GVK()] {
			t.Errorf("%s: no PATCH with fieldValidation", r.GVK())
		}
	}
}
