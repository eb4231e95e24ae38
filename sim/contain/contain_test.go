package contain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEachRequeuesTheRest(t *testing.T) {
	var synced, requeued []string
	var got *KeyPanic
	func() {
		defer func() { got, _ = recover().(*KeyPanic) }()
		Each([]string{"a", "b", "c", "d"}, func(k string) string { return k }, nil,
			func(k string) { requeued = append(requeued, k) },
			func(k string) bool {
				if k == "b" {
					panic("bad b")
				}
				synced = append(synced, k)
				return true
			})
	}()
	if got == nil {
		t.Fatal("Each did not raise a *KeyPanic")
	}
	if got.Key != "b" || got.Value != "bad b" || !strings.Contains(string(got.Stack), "contain_test.go") {
		t.Errorf("panic %+v; want key b, value bad b, a stack through the test", got)
	}
	if diff := cmp.Diff([]string{"a"}, synced); diff != "" {
		t.Errorf("synced (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"c", "d"}, requeued); diff != "" {
		t.Errorf("requeued before Retry (-want +got):\n%s", diff)
	}
	got.Retry()
	if diff := cmp.Diff([]string{"c", "d", "b"}, requeued); diff != "" {
		t.Errorf("requeued after Retry (-want +got):\n%s", diff)
	}
}

func TestEachReportsWrites(t *testing.T) {
	keys := []int{1, 2, 3}
	str := func(k int) string { return "" }
	if Each(keys, str, nil, func(int) {}, func(k int) bool { return false }) {
		t.Error("no sync wrote, Each reported true")
	}
	if !Each(keys, str, nil, func(int) {}, func(k int) bool { return k == 2 }) {
		t.Error("a sync wrote, Each reported false")
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{0, 5 * time.Millisecond}, {1, 5 * time.Millisecond}, {2, 10 * time.Millisecond}, {3, 20 * time.Millisecond},
		{18, 655360 * time.Millisecond}, {19, 1000 * time.Second}, {1000, 1000 * time.Second}} {
		if got := Backoff(tc.n); got != tc.want {
			t.Errorf("Backoff(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
}
