package store

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/btree"
	bolt "go.etcd.io/bbolt"

	"kubesim/sim/store/wal"
)

// Sentinel errors. Operations wrap them with the key concerned; test with
// errors.Is.
var (
	// ErrNotFound: the key is absent (Get, Update, Delete).
	ErrNotFound = errors.New("store: key not found")
	// ErrExists: Create on a key that is present.
	ErrExists = errors.New("store: key already exists")
	// ErrConflict: the expected mod revision is not the key's current one
	// (the apiserver answers 409 Conflict).
	ErrConflict = errors.New("store: mod revision conflict")
	// ErrCompacted: Watch from a revision older than the retained history
	// (the apiserver answers 410 Gone and clients relist).
	ErrCompacted = errors.New("store: required revision has been compacted")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("store: closed")
)

// DefaultHistorySize is the number of events kept for watch resume.
const DefaultHistorySize = 100000

// lockTimeout bounds how long Open waits for another process to release the
// bbolt file lock (bbolt retries the flock; we never sleep ourselves).
const lockTimeout = time.Second

// Options configures Open.
type Options struct {
	// Path of the bbolt file; created if absent. Reopening a file resumes
	// its revision and all its keys.
	Path string
	// HistorySize is the number of events kept in memory so that a watch
	// can resume from a past revision. 0 means DefaultHistorySize.
	HistorySize int
	// NoSync turns off fsync (bbolt NoSync) and the write-ahead log: each
	// commit writes the bbolt file directly. For tests and benchmarks that
	// do not need durability.
	NoSync bool
	// Decode, if set, is called at Open for each key read from the file; its
	// result becomes KV.Obj. An error fails Open.
	Decode func(key string, value []byte) (any, error)
	// Repair opens a file in which some objects cannot be decoded (their
	// value is malformed, or Decode fails): they are moved out of the
	// store into a bucket of their own ("damaged", kept for inspection)
	// and listed by Skipped, instead of failing Open with ErrUndecodable.
	Repair bool
	// Encode, if set, makes values lazy: Create and Update may pass a nil
	// value with an obj, and the commit appends obj's encoding to dst
	// (append semantics) on the committing goroutine instead of the
	// writer's. Such a KV keeps Value nil: the index holds only Obj, which
	// must never be modified once stored. With Decode also set, values
	// read at Open are dropped once decoded.
	Encode func(dst []byte, key string, obj any) ([]byte, error)
	// BytesOnly lists key prefixes whose values the store keeps encoded
	// only: once a commit has made a lazy value durable, the index keeps
	// its bytes and drops the object, and every read decodes the bytes
	// again into a fresh object (bytesonly.go). For objects written once
	// and rarely read (events). Needs Encode and Decode.
	BytesOnly []string
}

// DefaultOptions returns durable options for the file at path.
func DefaultOptions(path string) Options {
	return Options{Path: path, HistorySize: DefaultHistorySize}
}

func (o Options) validate() error {
	if o.Path == "" {
		return errors.New("store: Options.Path is empty")
	}
	if len(o.BytesOnly) > 0 && (o.Encode == nil || o.Decode == nil) {
		return errors.New("store: Options.BytesOnly needs Encode and Decode")
	}
	if o.HistorySize < 0 {
		return fmt.Errorf("store: Options.HistorySize %d is negative", o.HistorySize)
	}
	return nil
}

// KV is one key's state at a revision.
type KV struct {
	Key string
	// Value is what goes to disk. Shared: never modify it. Nil for a lazy
	// value (Options.Encode): the commit encodes Obj.
	Value []byte
	// Obj is an opaque decoded form supplied by the writer (or by
	// Options.Decode at Open). The store never interprets it and never
	// writes it to disk.
	Obj any
	// CreateRev is the revision that created the key (etcd's
	// create_revision), ModRev the one that last changed it (mod_revision).
	CreateRev, ModRev int64
}

// Store is the MVCC store. Create it with Open; it is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	opts Options
	// The write-ahead log and its checkpointer (log.go); nil with NoSync.
	wal *wal.Log
	cp  *checkpointer

	// mu guards everything below it up to syncMu.
	mu        sync.RWMutex
	closed    bool
	rev       int64
	index     *btree.BTreeG[*KV] // immutable *KV entries, ordered by Key
	keys      map[string]*KV     // the same entries by key: point reads without a tree walk
	pending   []pendingOp        // mutations not yet handed to a commit
	pendingN  atomic.Int64       // len(pending), readable without mu
	spare     []pendingOp        // recycled batch slice
	hist      history
	log       eventLog
	groups    map[string]*watchGroup // by prefix
	groupList []*watchGroup          // the same, in order of creation

	// committed mirrors durableRev for readers without syncMu: committed
	// watchers deliver events up to it. snap is the index at it.
	committed atomic.Int64
	snap      atomic.Pointer[Snapshot]
	// sigMu guards waiting: the watch groups whose committed watchers were
	// handed events beyond the committed revision, to be signalled by the
	// commit that covers them.
	sigMu   sync.Mutex
	waiting []*watchGroup

	// syncMu guards the group-commit state.
	syncMu        sync.Mutex
	writing       *flight // the commit taking and writing its batch, nil if none
	last          *flight // the latest commit (finished, or not)
	flights       int     // commits not finished
	durableRev    int64   // every mutation up to here is on disk
	syncErr       error   // sticky: a failed commit leaves the file behind the index
	dbClosed      bool
	lastFollowers int          // writers that waited for the last commit
	arena         []byte       // leader-only scratch space for encoded values
	lazyAvg       int          // leader-only: average size of the last batch's lazy values
	compacted     []compaction // leader-only: this commit's bytes-only values
	stats         Stats

	skipped []Skipped // set by load (Repair)
}

// Skipped is an object Options.Repair left out of the store.
type Skipped struct {
	Key     string
	Problem string
}

// Skipped lists the objects Open left out (Options.Repair), in key order.
func (s *Store) Skipped() []Skipped { return append([]Skipped(nil), s.skipped...) }

// Stats counts the work of group commit since Open.
type Stats struct {
	Commits   int64 // log appends (bbolt write transactions with NoSync)
	Mutations int64 // mutations they carried (a key written twice in one batch counts twice)
}

// Stats returns the counters since Open.
func (s *Store) Stats() Stats {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	return s.stats
}

// pendingOp is one mutation waiting for a commit: kv nil means delete.
type pendingOp struct {
	key string
	kv  *KV
}

func lessKV(a, b *KV) bool { return a.Key < b.Key }

// initialMmapSize is bbolt's first mapping of the file.
const initialMmapSize = 1 << 30

// Open opens (or creates) the store file and loads every key into memory.
func Open(opts Options) (*Store, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.HistorySize == 0 {
		opts.HistorySize = DefaultHistorySize
	}
	if err := verifyFile(opts.Path); err != nil {
		return nil, err
	}
	db, err := guarded(opts.Path, func() (*bolt.DB, error) {
		return bolt.Open(opts.Path, 0o600, &bolt.Options{
			Timeout:        lockTimeout,
			NoSync:         opts.NoSync,
			NoFreelistSync: true,
			FreelistType:   bolt.FreelistMapType,
			// Address space, not memory: a mapping this size is never remapped
			// while the file grows to it, and each remap copies every dirty
			// node of the open write transaction (2 s of a 150,000-pod run).
			InitialMmapSize: initialMmapSize,
		})
	})
	if err != nil {
		if errors.Is(err, bolt.ErrInvalid) || errors.Is(err, bolt.ErrChecksum) || errors.Is(err, bolt.ErrVersionMismatch) {
			return nil, &DamageError{Path: opts.Path, Problem: err.Error()}
		}
		var de *DamageError
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, fmt.Errorf("store: open %s: %w", opts.Path, err)
	}
	s := &Store{
		db:     db,
		opts:   opts,
		index:  btree.NewG(32, lessKV),
		keys:   map[string]*KV{},
		hist:   history{max: opts.HistorySize},
		log:    eventLog{tail: &logChunk{}},
		groups: map[string]*watchGroup{},
	}
	if _, err := guarded(opts.Path, func() (struct{}, error) { return struct{}{}, s.load() }); err != nil {
		db.Close()
		var de *DamageError
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, fmt.Errorf("store: open %s: %w", opts.Path, err)
	}
	if !opts.NoSync {
		if err := s.startLog(); err != nil {
			db.Close()
			return nil, err
		}
	}
	s.durableRev = s.rev
	s.committed.Store(s.rev)
	s.snap.Store(&Snapshot{rev: s.rev, index: s.index.Clone(), decode: s.decoder()})
	return s, nil
}

// Close writes every pending mutation (as Sync does), stops all watchers and
// closes the file. Later calls return ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.closed = true
	ws := s.dropWatchers()
	s.mu.Unlock()
	for _, w := range ws {
		w.stop()
	}
	syncErr := s.Sync()
	return errors.Join(syncErr, s.closeDB(false))
}

// closeDB waits for a commit in flight, stops the log (writing what it
// holds to bbolt and removing it, unless crash) and closes the bbolt file.
func (s *Store) closeDB(crash bool) error {
	for {
		s.syncMu.Lock()
		f := s.last
		if f == nil || f.finished {
			break // flights finish in order: all have
		}
		s.syncMu.Unlock()
		<-f.done
	}
	s.dbClosed = true
	syncErr := s.syncErr
	s.syncMu.Unlock()
	// A store whose commit failed keeps its log: Open replays it.
	logErr := s.stopLog(crash || syncErr != nil)
	if err := s.db.Close(); err != nil {
		return errors.Join(logErr, fmt.Errorf("store: close: %w", err))
	}
	return logErr
}

// Rev returns the current global revision (0 on a fresh store).
func (s *Store) Rev() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rev
}

// Lazy reports whether values may be passed as objects only (Options.Encode).
func (s *Store) Lazy() bool { return s.opts.Encode != nil }

// Get returns the key's current state, or ErrNotFound.
func (s *Store) Get(key string) (KV, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return KV{}, ErrClosed
	}
	kv, ok := s.keys[key]
	if !ok {
		return KV{}, notFoundErr(key)
	}
	kv, err := decoded(s.decoder(), kv)
	if err != nil {
		return KV{}, fmt.Errorf("store: get: %w", err)
	}
	return *kv, nil
}

func notFoundErr(key string) error { return fmt.Errorf("get %q: %w", key, ErrNotFound) }

// List returns every key with the prefix, sorted by key, for which filter
// returns true (nil filter: all), and the revision of that snapshot. filter
// runs under the store's read lock: it must be quick, must not call the
// store, and must not modify the KV.
func (s *Store) List(prefix string, filter func(*KV) bool) ([]KV, int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return listIndex(s.index, prefix, filter, s.decoder()), s.rev
}

// Count returns the number of keys with the prefix.
func (s *Store) Count(prefix string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if prefix == "" {
		return s.index.Len()
	}
	n := 0
	ascend(s.index, prefix, func(*KV) bool { n++; return true })
	return n
}

// Create stores a new key. It returns ErrExists if the key is present. The
// store keeps value and obj: the caller must not modify them afterwards.
func (s *Store) Create(key string, value []byte, obj any) (KV, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return KV{}, ErrClosed
	}
	if _, ok := s.keys[key]; ok {
		return KV{}, fmt.Errorf("create %q: %w", key, ErrExists)
	}
	kv := &KV{Key: key, Value: value, Obj: obj, CreateRev: s.rev + 1, ModRev: s.rev + 1}
	s.index.ReplaceOrInsert(kv)
	s.keys[key] = kv
	s.rev++
	s.record(Event{Type: Put, Rev: s.rev, KV: *kv}, kv)
	return *kv, nil
}

// Update replaces an existing key's value. It returns ErrNotFound if the key
// is absent, and ErrConflict if expectModRev is not 0 and differs from the
// key's current ModRev. The store keeps value and obj.
func (s *Store) Update(key string, value []byte, obj any, expectModRev int64) (KV, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.current("update", key, expectModRev)
	if err != nil {
		return KV{}, err
	}
	s.rev++
	kv := &KV{Key: key, Value: value, Obj: obj, CreateRev: prev.CreateRev, ModRev: s.rev}
	s.index.ReplaceOrInsert(kv)
	s.keys[key] = kv
	s.record(Event{Type: Put, Rev: s.rev, KV: *kv, PrevKV: s.eventPrev(prev)}, kv)
	return *kv, nil
}

// current returns key's entry for a change (op names it in errors): ErrClosed,
// ErrNotFound, or ErrConflict if expectModRev is not 0 and differs from its
// ModRev. The caller holds mu.
func (s *Store) current(op, key string, expectModRev int64) (*KV, error) {
	if s.closed {
		return nil, ErrClosed
	}
	prev, ok := s.keys[key]
	if !ok {
		return nil, fmt.Errorf("%s %q: %w", op, key, ErrNotFound)
	}
	if expectModRev != 0 && expectModRev != prev.ModRev {
		return nil, fmt.Errorf("%s %q: expected mod revision %d, have %d: %w",
			op, key, expectModRev, prev.ModRev, ErrConflict)
	}
	return prev, nil
}

// Delete removes a key. It returns ErrNotFound if the key is absent and
// ErrConflict if expectModRev is not 0 and differs from the key's ModRev. The
// returned KV is the deleted state with ModRev set to the delete's revision.
func (s *Store) Delete(key string, expectModRev int64) (KV, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.current("delete", key, expectModRev)
	if err != nil {
		return KV{}, err
	}
	s.rev++
	s.index.Delete(prev)
	delete(s.keys, key)
	prev = s.eventPrev(prev)
	kv := *prev
	kv.ModRev = s.rev
	s.record(Event{Type: Delete, Rev: s.rev, KV: kv, PrevKV: prev}, nil)
	return kv, nil
}

// record queues a mutation for the next commit, keeps its event in the
// history and hands it to matching watchers. The caller holds mu; kv is nil
// for a delete.
func (s *Store) record(ev Event, kv *KV) {
	s.pending = append(s.pending, pendingOp{key: ev.KV.Key, kv: kv})
	s.pendingN.Store(int64(len(s.pending)))
	s.hist.add(ev)
	s.publish(ev)
}

// dropWatchers unregisters every watcher, limiting each to the events made
// so far, and returns them for stopping. The caller holds mu.
func (s *Store) dropWatchers() []*Watcher {
	var ws []*Watcher
	for _, g := range s.groupList {
		for _, w := range append(g.watchers, g.committedList()...) {
			w.until.Store(min(w.until.Load(), s.rev))
			ws = append(ws, w)
		}
	}
	s.groups, s.groupList = map[string]*watchGroup{}, nil
	return ws
}
