package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/clock"
	"kubesim/sim/store"
)

// FuzzStorageDecode: whatever bytes a store file holds for an object,
// decoding gives an object or an error, never a panic; an object re-encodes
// to bytes that decode to the same encoding again (what is written back on
// the next update is what was read).
func FuzzStorageDecode(f *testing.F) {
	for _, obj := range fuzzObjects() {
		b, err := EncodeStorage(nil, "", obj)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("k8s\x00"))
	f.Add([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"json"}}`))
	f.Fuzz(func(t *testing.T, value []byte) {
		obj, err := DecodeStorage("/registry/x", value)
		if err != nil {
			return
		}
		b1, err := EncodeStorage(nil, "", obj)
		if err != nil {
			return // e.g. a kind the scheme decodes but kubesim never stores
		}
		obj2, err := DecodeStorage("/registry/x", b1)
		if err != nil {
			t.Fatalf("re-encoded object does not decode: %v", err)
		}
		b2, err := EncodeStorage(nil, "", obj2)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("encode → decode → encode is not stable (%v)", err)
		}
	})
}

func fuzzObjects() []runtime.Object {
	var out []runtime.Object
	for _, body := range []string{
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"100m"}}}]}}`,
		`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}`,
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"},"data":{"a":"b"}}`,
	} {
		obj, _, err := Codecs.UniversalDeserializer().Decode([]byte(body), nil, nil)
		if err != nil {
			panic(err)
		}
		out = append(out, obj)
	}
	return out
}

// FuzzRegistryWrite: an object of any served kind, decoded from JSON, is
// created or refused with a Kubernetes status (never a panic, never a
// non-Status error); what the registry accepted it accepts again when
// written back unchanged (validation and immutability agree with
// themselves), and the store stays consistent.
func FuzzRegistryWrite(f *testing.F) {
	f.Add(uint8(0), []byte(`{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}`))
	f.Add(uint8(0), []byte(`{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1"}}}]}}`))
	f.Add(uint8(1), []byte(`{"metadata":{"name":"d"},"spec":{"replicas":-1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}`))
	f.Add(uint8(2), []byte(`{"metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":"http"}],"type":"NodePort"}}`))
	f.Add(uint8(3), []byte(`{"metadata":{"name":"j"},"spec":{"parallelism":-1,"completions":-2,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}`))
	f.Add(uint8(4), []byte(`{"metadata":{"name":"pdb"},"spec":{"minAvailable":"abc%"}}`))
	f.Add(uint8(5), []byte(`{"metadata":{"name":"l"},"spec":{"leaseDurationSeconds":-1}}`))
	kinds := []string{"pods", "deployments", "services", "jobs", "poddisruptionbudgets", "leases", "statefulsets", "cronjobs", "daemonsets", "replicasets", "configmaps", "secrets", "namespaces", "nodes", "priorityclasses", "endpoints"}
	var res []*Resource
	for _, k := range kinds {
		for _, r := range Resources() {
			if r.GVR.Resource == k {
				res = append(res, r)
			}
		}
	}
	f.Fuzz(func(t *testing.T, ki uint8, body []byte) {
		r := res[int(ki)%len(res)]
		obj := r.New()
		if err := json.Unmarshal(body, obj); err != nil {
			return
		}
		st, err := store.Open(store.Options{Path: filepath.Join(t.TempDir(), "s.db"), NoSync: true, Decode: DecodeStorage, Encode: EncodeStorage})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		clk := clock.NewVirtual(time.Date(2023, 4, 20, 0, 0, 0, 0, time.UTC))
		reg := NewRegistry(st, clk, rand.New(rand.NewPCG(1, 2)), "v1.27.1")
		ns := ""
		if r.Namespaced {
			ns = "default"
			ObjectMeta(obj).SetNamespace(ns)
		}
		out, err := reg.Create(r, ns, obj, false)
		if err != nil {
			var st apierrors.APIStatus
			if !errors.As(err, &st) || st.Status().Code < 400 || st.Status().Code >= 500 {
				t.Fatalf("create %s: %v is not a 4xx Status", r.Kind, err)
			}
			return
		}
		again := out.DeepCopyObject()
		ObjectMeta(again).SetResourceVersion("")
		if _, err := reg.Update(r, ns, again, ""); err != nil {
			t.Fatalf("an accepted %s written back unchanged is refused: %v", r.Kind, err)
		}
		if err := st.Check(); err != nil {
			t.Fatal(err)
		}
	})
}
