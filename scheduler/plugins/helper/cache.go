package helper

// Cached returns cache[key], made by mk when missing. A cache holding limit
// entries is emptied before it takes a new one: the plugins' per-cycle
// memos are cheap to rebuild, so forgetting all beats tracking age.
func Cached[V any](cache map[string]*V, key string, limit int, mk func() *V) *V {
	v := cache[key]
	if v == nil {
		if len(cache) >= limit {
			clear(cache)
		}
		v = mk()
		cache[key] = v
	}
	return v
}
