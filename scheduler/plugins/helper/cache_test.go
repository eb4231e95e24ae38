package helper

import "testing"

func TestCachedEmptiesAFullCache(t *testing.T) {
	cache := map[string]*int{}
	made := 0
	mk := func() *int { made++; v := made; return &v }
	a := Cached(cache, "a", 2, mk)
	if again := Cached(cache, "a", 2, mk); again != a || made != 1 {
		t.Fatalf("a second lookup made a new entry (made %d)", made)
	}
	Cached(cache, "b", 2, mk)
	if len(cache) != 2 {
		t.Fatalf("cache has %d entries, want 2", len(cache))
	}
	Cached(cache, "c", 2, mk)
	if len(cache) != 1 || cache["c"] == nil {
		t.Fatalf("a full cache was not emptied before c: %v", cache)
	}
}
