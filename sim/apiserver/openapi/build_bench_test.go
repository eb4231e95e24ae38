package openapi

import (
	"testing"
	"time"

	"kubesim/sim/registry"
)

func servedResources() []Resource {
	var rs []Resource
	for _, r := range registry.Resources() {
		or := Resource{GVR: r.GVR, Kind: r.Kind, ListKind: r.ListKind, Namespaced: r.Namespaced, Verbs: r.Verbs}
		for _, s := range r.Subs {
			or.Subs = append(or.Subs, Subresource{Name: s.Name, Kind: s.Kind, Verbs: s.Verbs})
		}
		rs = append(rs, or)
	}
	return rs
}

// BenchmarkLoadData is decoding one release's gzipped definitions.
func BenchmarkLoadData(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := loadData("v1.33.json.gz"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild is what the first /openapi request of a process costs
// after the data is decoded: every v3 document, the index and v2.
func BenchmarkBuild(b *testing.B) {
	cfg := Config{Version: "v1.33.0", Resources: servedResources(), Scheme: registry.Scheme, Now: func() time.Time { return time.Time{} }}
	if _, err := release(cfg.Version); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := build(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkV2Protobuf is converting the v2 document to protobuf, done once
// per process on the first protobuf request (kubectl's validation).
func BenchmarkV2Protobuf(b *testing.B) {
	cfg := Config{Version: "v1.33.0", Resources: servedResources(), Scheme: registry.Scheme}
	docs, err := build(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := &document{json: docs.v2.json}
		if _, err := d.protobuf(); err != nil {
			b.Fatal(err)
		}
	}
}
