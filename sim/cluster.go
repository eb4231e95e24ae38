package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"kubesim/net/fabric"
	"kubesim/sim/certsign"
	"kubesim/sim/clock"
	"kubesim/sim/events"
	"kubesim/sim/kubelet"
	"kubesim/sim/loop"
	"kubesim/sim/registry"
	"kubesim/sim/satoken"
	"kubesim/sim/store"
)

// Options configures how a cluster runs.
type Options struct {
	// Dir holds the cluster's state file (store.db). Empty: a temporary
	// directory the caller must remove (tests use t.TempDir()).
	Dir string
	// NoSync turns off fsync (tests, benchmarks).
	NoSync bool
	// Wait, if set, makes watches block the live way (see apiserver.Driver);
	// nil is stepped mode: a waiting watch advances virtual time.
	Wait func(ctx context.Context, ready <-chan struct{}, deadline time.Time) bool
	// OnWrite, if set, is called after each request's changes are committed
	// (the live driver wakes its loop).
	OnWrite func()
	// Now, if set, is the live driver's wall clock: before handling a
	// request the cluster catches up with it. Nil in stepped mode.
	Now func() time.Time
	// Hollow builds only the control plane (store, API server, scheduler,
	// controllers) with no kubelets and no kubeadm objects but the
	// namespaces: benchmarks register nodes themselves, as kubemark's hollow
	// nodes do.
	Hollow bool
	// Start overrides spec.Start for a new cluster (the live driver passes
	// the wall clock).
	Start time.Time
	// Log receives the loop's reports (a contained panic); nil: os.Stderr.
	Log io.Writer
	// ResumeAt is the virtual time a stopped cluster had when it stopped
	// (the live driver keeps it beside the store). A resumed cluster's
	// clock starts there, or at the newest time the store recorded if
	// that is later (a crash leaves ResumeAt behind).
	ResumeAt time.Time
	// Repair opens a state file some of whose objects cannot be decoded,
	// without them (Store.Skipped names them); otherwise such a file fails
	// New with store.ErrUndecodable.
	Repair bool
	// KubeletStopped reports, for a resumed cluster, the nodes whose
	// kubelet service was stopped (systemctl stop kubelet) on a running
	// machine when the cluster stopped (hosts.KubeletStopped reads it from
	// the hosts' state): their stale lease is not a powered-off machine,
	// and their kubelet stays stopped.
	KubeletStopped func(node string) bool
}

// periodic is work that recurs every period but whose intermediate ticks
// matter to nobody: when virtual time jumps, it runs once, at the latest
// tick, instead of once per tick (lease renewals over a 2d12h jump).
type periodic struct {
	name   string
	period time.Duration
	last   time.Time
	fn     func(tick time.Time)
}

// Cluster is a simulated Kubernetes cluster.
type Cluster struct {
	Spec     ClusterSpec
	Clock    *clock.Virtual
	Rand     *rand.Rand
	Store    *store.Store
	Registry *registry.Registry
	Recorder *events.Recorder

	opts       Options
	mu         sync.Mutex
	ca         certsign.Holder
	tokensOnce sync.Once
	tokens     *satoken.Signer
	watcher    *store.Watcher
	components []loop.Component
	handlersOf map[string][]loop.Component // resource -> components wanting its events (contain.go)
	periodics  []*periodic
	settling   bool
	evBuf      []store.Event // the loop's pull buffer
	closed     bool
	// bgSync is set while a background commit runs (see settle).
	bgSync atomic.Bool
	lastBg int64
	// progress counts settle rounds and requests (Progress).
	progress atomic.Uint64
	// wakeAt is NextWake as of the last step (unix ns; 0: none), for Read.
	wakeAt atomic.Int64
	// failures counts contained panics by component (and key); paused
	// holds the components backing off after an unkeyed panic.
	failures  map[string]int
	paused    map[string]bool
	log       io.Writer
	kubelets  map[string]*kubelet.Kubelet
	nodeOrder []string
	fabric    *fabric.Fabric
	// Hooks for the nodes' hosts (hostsupport.go).
	ext       sync.Map
	gates     map[string]func() bool
	ctrlNames []string
	onClose   []func() error
}

// New builds a cluster from spec, or resumes the one whose state is in
// opts.Dir. It runs kubeadm-style preflight checks first.
func New(spec ClusterSpec, opts Options) (*Cluster, error) {
	if opts.Hollow {
		spec.Nodes = nil
	} else if err := spec.Preflight(); err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		return nil, errors.New("sim: Options.Dir is empty")
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, err
	}
	st, err := store.Open(store.Options{Path: filepath.Join(opts.Dir, "store.db"), NoSync: opts.NoSync, Decode: registry.DecodeStorage, Encode: registry.EncodeStorage, HistorySize: watchHistory, Repair: opts.Repair,
		// Events are written once and rarely read: the store keeps them
		// encoded (a few hundred bytes, not the decoded 1.7 KB) and a read
		// decodes them again.
		BytesOnly: []string{"/registry/events/"}})
	if err != nil {
		return nil, fmt.Errorf("open cluster state: %w", err)
	}
	registry.RestoreResourceVersions(st)
	start := spec.Start
	if !opts.Start.IsZero() {
		start = opts.Start
	}
	c := &Cluster{Spec: spec, Store: st, opts: opts, failures: map[string]int{}, paused: map[string]bool{}, log: opts.Log}
	if c.log == nil {
		c.log = os.Stderr
	}
	resumed := st.Rev() > 0
	// A resumed cluster continues on a stream of its own (the stored
	// revision picks it): re-drawing the first uids and name suffixes again
	// would collide with the stored ones.
	c.Rand = rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x6b756265^uint64(st.Rev())))
	if resumed {
		// A stopped cluster was suspended, not switched off: it resumes at
		// the virtual time it stopped at (opts.ResumeAt, kept by the
		// driver) or, after a crash, the newest time the store recorded.
		// The wall-clock gap in between is not cluster time.
		if t, ok := lastTime(st); ok || !opts.ResumeAt.IsZero() {
			start = opts.ResumeAt
			if t.After(start) {
				start = t
			}
		}
	}
	c.Clock = clock.NewVirtual(start)
	c.Registry = registry.NewRegistry(st, c.Clock, c.Rand, spec.KubernetesVersion)
	c.Registry.SetTypes(releaseTypes(spec.KubernetesVersion))
	c.Recorder = events.NewRecorder(c.Registry, c.Clock)
	c.watcher, err = st.Watch("/registry/", st.Rev())
	if err != nil {
		st.Close()
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.build(resumed); err != nil {
		st.Close()
		return nil, err
	}
	c.settle()
	c.commit()
	return c, nil
}

// Close stops the cluster and closes its state file after a final commit.
func (c *Cluster) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	for _, fn := range c.onClose {
		errs = append(errs, fn())
	}
	c.watcher.Stop()
	errs = append(errs, c.Store.Sync(), c.Store.Close())
	return errors.Join(errs...)
}

// AddComponent registers a component; components see events in the order
// they were added.
func (c *Cluster) AddComponent(comp loop.Component) {
	c.components = append(c.components, comp)
	c.handlersOf = nil
}

// Every registers periodic work (see periodic). first is the first tick.
func (c *Cluster) Every(name string, period time.Duration, first time.Time, fn func(tick time.Time)) {
	c.periodics = append(c.periodics, &periodic{name: name, period: period, last: first.Add(-period), fn: fn})
}

// Do implements apiserver.Driver: fn runs with the cluster lock held, then
// the cluster settles and commits. If fn panics, the lock is released and
// the panic goes on to the caller (the API server answers 500); what fn
// wrote before it is settled and committed by the next step.
func (c *Cluster) Do(fn func()) {
	c.progress.Add(1)
	c.locked(func() {
		if c.opts.Now != nil {
			c.advanceTo(c.opts.Now())
		}
		fn()
		c.settle()
	})
	c.commit()
	if c.opts.OnWrite != nil {
		c.opts.OnWrite()
	}
}

// locked runs fn with the cluster lock held, released however fn ends,
// then notes when the cluster next has timed work (for Read).
func (c *Cluster) locked(fn func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.noteWake()
	fn()
}

// Read implements apiserver.Driver: fn reads the committed snapshot with
// no lock. A live cluster with work due by its wall clock (a timer, a
// periodic tick) first catches up, as a request through Do would, so a
// read never shows a state older than the clock implies.
func (c *Cluster) Read(fn func()) {
	if c.opts.Now != nil {
		if w := c.wakeAt.Load(); w != 0 && w <= c.opts.Now().UnixNano() {
			c.Do(func() {})
		}
	}
	fn()
}

// ReadClock is the time reads are served at (a Table's ages): the virtual
// clock, or in live mode the wall clock when the loop has not caught up
// with it yet (a request through Do would have moved the clock there).
func (c *Cluster) ReadClock() clock.Clock { return readClock{c} }

type readClock struct{ c *Cluster }

func (r readClock) Now() time.Time {
	t := r.c.Clock.Now()
	if r.c.opts.Now != nil {
		if n := r.c.opts.Now(); n.After(t) {
			return n
		}
	}
	return t
}

// noteWake records nextWake in wakeAt. Caller holds c.mu.
func (c *Cluster) noteWake() {
	t, ok := c.nextWake()
	if !ok {
		c.wakeAt.Store(0)
		return
	}
	c.wakeAt.Store(t.UnixNano())
}

// Progress counts the loop's steps (settle rounds and requests): a live
// driver whose count stands still while work is due has a wedged loop.
func (c *Cluster) Progress() uint64 { return c.progress.Load() }

// Wait implements apiserver.Driver. In stepped mode a watch with nothing to
// send moves virtual time to the next timer before its deadline.
func (c *Cluster) Wait(ctx context.Context, ready <-chan struct{}, deadline time.Time) bool {
	if c.opts.Wait != nil {
		return c.opts.Wait(ctx, ready, deadline)
	}
	select {
	case <-ready:
		return true
	case <-ctx.Done():
		return false
	default:
	}
	// A watch is signalled once its events are committed: commit what
	// other requests wrote before time moves on.
	c.commit()
	select {
	case <-ready:
		return true
	default:
	}
	advanced := false
	c.locked(func() {
		if c.closed {
			return
		}
		next, ok := c.Clock.Next()
		if !ok || next.After(deadline) {
			return
		}
		c.advanceTo(next)
		advanced = true
	})
	if !advanced {
		return false
	}
	c.commit()
	return true
}

// Locked runs fn with the cluster lock held, without settling (reads).
func (c *Cluster) Locked(fn func()) { c.locked(fn) }

// Settle lets the cluster react to everything pending at the current time.
func (c *Cluster) Settle() {
	c.locked(c.settle)
	c.commit()
}

// settle delivers events and runs components and due timers until nothing
// changes, then commits. Caller holds c.mu.
func (c *Cluster) settle() {
	if c.settling || c.closed {
		return
	}
	c.settling = true
	defer func() { c.settling = false }()
	now := c.Clock.Now()
	var recent []string
	for iter := 0; ; iter++ {
		if iter == maxSettleRounds {
			panic(fmt.Sprintf("kubesim: the cluster does not settle at %s: components keep writing; last events: %v", now.Format(time.RFC3339), recent))
		}
		progressed := false
		c.progress.Add(1)
		c.maybeBackgroundCommit()
		for {
			evs := c.watcher.PullAppendMax(c.evBuf[:0], pullMax)
			if len(evs) == 0 {
				break
			}
			progressed = true
			if iter > maxSettleRounds-20 {
				for _, ev := range evs {
					recent = append(recent, ev.KV.Key)
				}
			}
			c.deliver(evs)
			// One buffer for every pull; cleared so it keeps no object alive.
			clear(evs)
			c.evBuf = evs
		}
		for _, comp := range c.components {
			if c.runGuarded(comp, now) {
				progressed = true
				if iter > maxSettleRounds-20 {
					recent = append(recent, "run:"+comp.Name())
				}
			}
		}
		if !progressed && c.fireDue() {
			progressed = true
		}
		if !progressed {
			break
		}
	}
}

// pullMax bounds one pull of the loop's watcher: events are handled in the
// same order in bounded batches, so the buffer stays small.
const pullMax = 4096

// bgCommitEvery is how many revisions a long settle writes before it hands
// a commit to another goroutine: bbolt then writes on the second core while
// the loop goes on (a 150,000-pod scheduling run would otherwise end with
// one multi-second commit). Only durability moves off the loop; what the
// cluster sees is unchanged, so determinism holds.
const bgCommitEvery = 8192

// maybeBackgroundCommit starts a background commit once bgCommitEvery
// revisions have been written since the last one. Components that write a
// lot in one Run (the scheduler) call it as they go.
func (c *Cluster) maybeBackgroundCommit() {
	c.progress.Add(1)
	if c.Store.Rev()-c.lastBg >= bgCommitEvery {
		c.backgroundCommit()
	}
}

func (c *Cluster) backgroundCommit() {
	c.lastBg = c.Store.Rev()
	if !c.bgSync.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer c.bgSync.Store(false)
		c.Store.Sync() // a failure is sticky: the next commit() reports it
	}()
}

// commit makes everything written so far durable. It is called without the
// cluster lock, so that concurrent requests share one bbolt transaction
// (group commit).
func (c *Cluster) commit() {
	if err := c.Store.Sync(); err != nil {
		panic(fmt.Sprintf("kubesim: commit failed: %v", err))
	}
}

// watchHistory is how many events a watch can resume across (then 410
// Gone and a relist, as after an etcd compaction). Each retained event keeps
// the object's previous version alive, so this bounds memory under churn.
const watchHistory = 10000

// maxSettleRounds bounds one settle: a component that writes on every
// round is a bug, reported instead of hanging the process.
const maxSettleRounds = 100000

// Advance moves virtual time forward by d, running every timer on the way
// and periodic work at most once between consecutive timers.
func (c *Cluster) Advance(d time.Duration) {
	c.locked(func() { c.advanceTo(c.Clock.Now().Add(d)) })
	c.commit()
}

// AdvanceTo moves virtual time forward to t (the live driver's step).
func (c *Cluster) AdvanceTo(t time.Time) {
	c.locked(func() { c.advanceTo(t) })
	c.commit()
}

func (c *Cluster) advanceTo(target time.Time) {
	c.settle()
	for {
		stop := target
		next, ok := c.Clock.Next()
		if ok && next.Before(stop) {
			stop = next
		}
		c.runPeriodics(stop)
		if ok && !next.After(target) {
			c.Clock.Step(target)
			c.settle()
			continue
		}
		c.Clock.Set(target)
		c.settle()
		return
	}
}

// runPeriodics runs each periodic job once at its latest tick no later than
// until, in tick order. Caller holds c.mu.
func (c *Cluster) runPeriodics(until time.Time) {
	type due struct {
		p    *periodic
		tick time.Time
	}
	var ds []due
	for _, p := range c.periodics {
		if n := until.Sub(p.last) / p.period; n >= 1 {
			ds = append(ds, due{p, p.last.Add(n * p.period)})
		}
	}
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].tick.Before(ds[j].tick) })
	for _, d := range ds {
		c.Clock.Set(d.tick)
		d.p.last = d.tick
		c.guarded("periodic "+d.p.name, func() { c.as(componentManager(d.p.name), func() { d.p.fn(d.tick) }) })
		c.settle()
	}
}

// NextWake reports when the cluster next has timed work: the earliest timer
// or periodic tick.
func (c *Cluster) NextWake() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nextWake()
}

func (c *Cluster) nextWake() (time.Time, bool) {
	t, ok := c.Clock.Next()
	for _, p := range c.periodics {
		n := p.last.Add(p.period)
		if !ok || n.Before(t) {
			t, ok = n, true
		}
	}
	return t, ok
}

func badRequest(msg string) error { return apierrors.NewBadRequest(msg) }
