package events

import (
	"fmt"
	"testing"
)

func TestLRUEvictsLeastRecentlyUsed(t *testing.T) {
	c := lru{m: map[key]*lruEntry{}}
	k := func(i int) key { return key{name: fmt.Sprint(i)} }
	for i := 0; i < cacheSize; i++ {
		c.put(k(i), fmt.Sprint("ev", i))
	}
	// Use the oldest entry again: it must survive the next insertion,
	// and the second oldest must go instead.
	if name, ok := c.get(k(0)); !ok || name != "ev0" {
		t.Fatalf("get(0) = %q, %v; want ev0, true", name, ok)
	}
	c.put(k(cacheSize), "new")
	if _, ok := c.get(k(0)); !ok {
		t.Errorf("entry 0 was used last but evicted")
	}
	if _, ok := c.get(k(1)); ok {
		t.Errorf("entry 1 is the least recently used but was kept")
	}
	if len(c.m) != cacheSize {
		t.Errorf("len = %d, want %d", len(c.m), cacheSize)
	}
}

func TestLRUOrderStaysBounded(t *testing.T) {
	c := lru{m: map[key]*lruEntry{}}
	c.put(key{name: "hot"}, "ev")
	for i := 0; i < 100*cacheSize; i++ {
		if _, ok := c.get(key{name: "hot"}); !ok {
			t.Fatalf("hot entry lost after %d uses", i)
		}
	}
	if n := len(c.order) - c.head; n > 4*cacheSize+1 {
		t.Errorf("order holds %d uses of one key; want at most %d", n, 4*cacheSize+1)
	}
}
