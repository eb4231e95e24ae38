package events

import "hash/maphash"

// cacheSize bounds the events a recorder remembers for aggregation, as
// client-go's EventCorrelator does (maxLruCacheEntries = 4096): an event
// not repeated within the last 4096 distinct ones starts anew.
const cacheSize = 4096

// lru maps keys to event names, forgetting the least recently used beyond
// cacheSize. order lists (key, stamp) on every use; an entry is evicted
// when it reaches the front with its latest stamp.
//
// A key is a dozen strings (~200 bytes): a Go map keyed by it stores each
// key out of line, one allocation per insert, and a new entry per event
// would be another. So the map is keyed by the key's hash, entries of one
// hash chained, and evicted entries are reused: a recorder writing one new
// event after another allocates nothing here once the cache is full.
type lru struct {
	m     map[uint64]*lruEntry // hash -> chain of entries
	n     int                  // entries in m
	seed  maphash.Seed
	free  *lruEntry // evicted entries, chained by next
	order []lruUse
	head  int
	stamp uint64
}

type lruEntry struct {
	k     key
	name  string
	hash  uint64
	stamp uint64 // 0 once evicted: no use of it is current
	next  *lruEntry
}

// lruUse is one use of an entry: current while the entry's stamp is its own.
type lruUse struct {
	e     *lruEntry
	stamp uint64
}

func newLRU() lru {
	return lru{m: map[uint64]*lruEntry{}, seed: maphash.MakeSeed()}
}

func (c *lru) find(k key) (uint64, *lruEntry) {
	h := maphash.Comparable(c.seed, k)
	for e := c.m[h]; e != nil; e = e.next {
		if e.k == k {
			return h, e
		}
	}
	return h, nil
}

func (c *lru) get(k key) (string, bool) {
	_, e := c.find(k)
	if e == nil {
		return "", false
	}
	c.touch(e)
	c.compact()
	return e.name, true
}

func (c *lru) put(k key, name string) {
	h, e := c.find(k)
	if e == nil {
		e = c.free
		if e != nil {
			c.free = e.next
		} else {
			e = &lruEntry{}
		}
		*e = lruEntry{k: k, hash: h, next: c.m[h]}
		c.m[h] = e
		c.n++
	}
	e.name = name
	c.touch(e)
	for c.n > cacheSize && c.head < len(c.order) {
		u := c.order[c.head]
		c.order[c.head] = lruUse{}
		c.head++
		if u.e.stamp == u.stamp {
			c.remove(u.e)
		}
	}
	c.compact()
}

// len is the number of entries.
func (c *lru) len() int { return c.n }

// removeIf forgets every entry for which gone returns true.
func (c *lru) removeIf(gone func(k *key, name string) bool) {
	var drop []*lruEntry
	for _, e := range c.m {
		for ; e != nil; e = e.next {
			if gone(&e.k, e.name) {
				drop = append(drop, e)
			}
		}
	}
	for _, e := range drop {
		c.remove(e)
	}
}

// remove unlinks e from its chain and keeps it for reuse. Its stamp
// becomes 0, which no use carries (stamps start at 1), so every use of it
// left in order is stale; a reuse takes a new stamp, newer than them all.
func (c *lru) remove(e *lruEntry) {
	p := c.m[e.hash]
	if p == e {
		if e.next == nil {
			delete(c.m, e.hash)
		} else {
			c.m[e.hash] = e.next
		}
	} else {
		for p.next != e {
			p = p.next
		}
		p.next = e.next
	}
	c.n--
	*e = lruEntry{next: c.free}
	c.free = e
}

// compact drops used-up slots at the front and, when repeats of a few keys
// have filled order with stale uses, every use that is not an entry's latest.
func (c *lru) compact() {
	if len(c.order)-c.head > 4*cacheSize {
		live := c.order[:0]
		for _, u := range c.order[c.head:] {
			if u.e.stamp == u.stamp {
				live = append(live, u)
			}
		}
		clear(c.order[len(live):])
		c.order, c.head = live, 0
		return
	}
	if c.head > len(c.order)/2 {
		n := copy(c.order, c.order[c.head:])
		clear(c.order[n:])
		c.order, c.head = c.order[:n], 0
	}
}

func (c *lru) touch(e *lruEntry) {
	c.stamp++
	e.stamp = c.stamp
	c.order = append(c.order, lruUse{e, c.stamp})
}
