package events

import (
	"container/list"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestLRUEvictsLeastRecentlyUsed(t *testing.T) {
	c := newLRU()
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
	if c.len() != cacheSize {
		t.Errorf("len = %d, want %d", c.len(), cacheSize)
	}
}

func TestLRUOrderStaysBounded(t *testing.T) {
	c := newLRU()
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

// TestLRUMatchesModel runs random gets and puts against a plain
// least-recently-used list and expects the same answers.
func TestLRUMatchesModel(t *testing.T) {
	c := newLRU()
	model := list.New() // of keys, least recently used first
	elems := map[key]*list.Element{}
	names := map[key]string{}
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 40000; i++ {
		k := key{name: fmt.Sprint(rnd.IntN(3 * cacheSize)), reason: "r"}
		if rnd.IntN(2) == 0 {
			name, ok := c.get(k)
			want, wok := names[k]
			if ok != wok || name != want {
				t.Fatalf("op %d: get(%v) = %q, %v; want %q, %v", i, k.name, name, ok, want, wok)
			}
			if ok {
				model.MoveToBack(elems[k])
			}
			continue
		}
		name := fmt.Sprint("ev", i)
		c.put(k, name)
		if e, ok := elems[k]; ok {
			model.MoveToBack(e)
		} else {
			elems[k] = model.PushBack(k)
		}
		names[k] = name
		for model.Len() > cacheSize {
			old := model.Remove(model.Front()).(key)
			delete(names, old)
			delete(elems, old)
		}
		if c.len() != model.Len() {
			t.Fatalf("op %d: len = %d, want %d", i, c.len(), model.Len())
		}
	}
}

// TestLRURemoveFromChain unlinks entries that share a hash, wherever they
// are in the chain.
func TestLRURemoveFromChain(t *testing.T) {
	c := newLRU()
	c.put(key{name: "a"}, "ev-a")
	_, a := c.find(key{name: "a"})
	b := &lruEntry{k: key{name: "b"}, name: "ev-b", hash: a.hash, next: a, stamp: 99}
	c.m[a.hash], c.n = b, c.n+1
	c.remove(a)
	if c.m[b.hash] != b || b.next != nil || c.len() != 1 {
		t.Fatalf("after removing the chain's tail: head %p next %p len %d; want b alone", c.m[b.hash], b.next, c.len())
	}
	c.remove(b)
	if len(c.m) != 0 || c.len() != 0 {
		t.Fatalf("after removing both: %d hashes, len %d; want none", len(c.m), c.len())
	}
	if c.free != b || b.next != a || b.name != "" || a.stamp != 0 {
		t.Errorf("removed entries are not cleared and kept for reuse")
	}
	c.put(key{name: "c"}, "ev-c")
	if name, ok := c.get(key{name: "c"}); !ok || name != "ev-c" || c.free != a {
		t.Errorf("get(c) = %q, %v after reusing an entry; want ev-c, true", name, ok)
	}
}

// TestLRUFullPutAllocatesNothing: once full, a put of a new key reuses the
// entry it evicts.
func TestLRUFullPutAllocatesNothing(t *testing.T) {
	c := newLRU()
	keys := make([]key, 4*cacheSize)
	for i := range keys {
		keys[i] = key{name: fmt.Sprint(i), reason: "Scheduled", message: "m"}
	}
	for i := 0; i < cacheSize; i++ {
		c.put(keys[i], "ev")
	}
	i := cacheSize
	if n := testing.AllocsPerRun(2*cacheSize, func() {
		c.put(keys[i%len(keys)], "ev")
		i++
	}); n != 0 {
		t.Errorf("put allocates %v times; want 0", n)
	}
}
