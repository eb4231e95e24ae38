package contain

import (
	"fmt"
	"runtime/debug"
	"time"
)

// KeyPanic is a panic raised while a component synced one key.
type KeyPanic struct {
	// Key is what the component queues: "namespace/name", a node name, a
	// pod uid.
	Key string
	// Object is the object synced, when the component knows it (nil:
	// the loop looks it up from the key).
	Object any
	// Value is what was passed to panic, Stack the goroutine's stack at
	// the panic.
	Value any
	Stack []byte
	// Retry queues Key again; the loop calls it after the back-off.
	Retry func()
}

func (p *KeyPanic) Error() string { return fmt.Sprintf("panic syncing %s: %v", p.Key, p.Value) }

// Each calls sync for each key in order and reports whether any call
// returned true. If sync panics on a key, Each calls requeue for each key
// after it and panics with a *KeyPanic for that key (whose Retry calls
// requeue for it); object, if set, names the key's object for the report.
func Each[K any](keys []K, str func(K) string, object func(K) any, requeue func(K), sync func(K) bool) bool {
	did := false
	for i, k := range keys {
		if guard(keys[i+1:], k, str, object, requeue, sync) {
			did = true
		}
	}
	return did
}

func guard[K any](rest []K, k K, str func(K) string, object func(K) any, requeue func(K), sync func(K) bool) bool {
	defer func() {
		if v := recover(); v != nil {
			for _, r := range rest {
				requeue(r)
			}
			p := &KeyPanic{Key: str(k), Value: v, Stack: debug.Stack(), Retry: func() { requeue(k) }}
			if inner, ok := v.(*KeyPanic); ok {
				// A nested Each: the inner key is the more precise one.
				p = inner
			}
			if p.Object == nil && object != nil {
				p.Object = object(k)
			}
			panic(p)
		}
	}()
	return sync(k)
}

// Backoff is the per-item exponential back-off of client-go's default
// controller rate limiter (ItemExponentialFailureRateLimiter(5ms, 1000s)):
// 5 ms after the first failure, doubling, at most 1000 s.
func Backoff(failures int) time.Duration {
	const base, ceiling = 5 * time.Millisecond, 1000 * time.Second
	if failures < 1 {
		failures = 1
	}
	if failures > 40 {
		return ceiling
	}
	return min(base<<(failures-1), ceiling)
}
