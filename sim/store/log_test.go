package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// smallLog makes checkpoints and segment changes frequent for one test.
func smallLog(t *testing.T, ckpt int, seg int64) {
	t.Helper()
	oldC, oldS := checkpointBytes, segmentSize
	checkpointBytes, segmentSize = ckpt, seg
	t.Cleanup(func() { checkpointBytes, segmentSize = oldC, oldS })
}

// copyState copies the store file and its log from one directory to another
// (the state a crash left, to be opened more than once).
func copyState(t *testing.T, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

// randomOp is a mutation on one of a few keys: creates, updates and
// deletes that collide across commits.
func randomOp(s *Store, rng *rand.Rand, i int) {
	key := fmt.Sprintf("/k/%02d", rng.IntN(30))
	val := []byte(fmt.Sprintf("%d:%s", i, strings.Repeat("v", rng.IntN(200))))
	if _, err := s.Get(key); err != nil {
		s.Create(key, val, nil)
	} else if rng.IntN(3) == 0 {
		s.Delete(key, 0)
	} else {
		s.Update(key, val, nil, 0)
	}
}

// TestLogCrashRecovery: a random workload with checkpoints, segment
// changes and segment reuse every few commits, crashed at random points
// (some synced, some not): each reopen has exactly what was synced, at its
// revision, and the log it leaves passes Check.
func TestLogCrashRecovery(t *testing.T) {
	smallLog(t, 2<<10, 4<<10)
	if n := logCrashRecovery(t, 1); n < 12 {
		t.Errorf("%d checkpoints in the whole run: the test did not exercise them", n)
	}
}

// TestLogCrashRecoveryPieces is TestLogCrashRecovery with records written
// to the log in chunks as they are encoded, and checkpointed in pieces.
func TestLogCrashRecoveryPieces(t *testing.T) {
	smallLog(t, 2<<10, 4<<10)
	smallPieces(t, 300, 700)
	pieces := 0
	checkpointPieceHook = func() error { pieces++; return nil }
	t.Cleanup(func() { checkpointPieceHook = nil })
	logCrashRecovery(t, 2)
	if pieces < 12 {
		t.Errorf("%d checkpoint pieces in the whole run: the test did not exercise them", pieces)
	}
}

// smallPieces makes records stream to the log every chunk bytes and
// checkpoint transactions hold at most tx bytes of records.
func smallPieces(t *testing.T, chunk, tx int) {
	t.Helper()
	oldR, oldT := recordChunk, checkpointTx
	recordChunk, checkpointTx = chunk, tx
	t.Cleanup(func() { recordChunk, checkpointTx = oldR, oldT })
}

// logCrashRecovery runs the workload and returns the checkpoints made.
func logCrashRecovery(t *testing.T, seed uint64) int64 {
	rng := rand.New(rand.NewPCG(18, seed))
	path := filepath.Join(t.TempDir(), "store.db")
	s := openStore(t, Options{Path: path})
	var want []KV
	var wantRev int64
	checkpoints := int64(0)
	for round := range 12 {
		for i := range 40 + rng.IntN(80) {
			randomOp(s, rng, i)
			if rng.IntN(4) == 0 {
				if err := s.Sync(); err != nil {
					t.Fatal(err)
				}
				want, wantRev = contents(s)
			}
		}
		s.cp.mu.Lock()
		checkpoints += s.cp.count
		s.cp.mu.Unlock()
		if err := s.crash(); err != nil {
			t.Fatal(err)
		}
		s = openStore(t, Options{Path: path})
		got, rev := contents(s)
		if rev != wantRev {
			t.Fatalf("round %d: revision %d after the crash, want %d", round, rev, wantRev)
		}
		if d := cmp.Diff(want, got, kvOpts); d != "" {
			t.Fatalf("round %d: contents after the crash (-want +got):\n%s", round, d)
		}
	}
	return checkpoints
}

// TestCheckpointThenCrash: the file was checkpointed past some of the log's
// records, and the log not yet released (a crash between the two): Open
// applies only the records beyond the file's revision.
func TestCheckpointThenCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := openStore(t, Options{Path: path})
	mustApply(t, s, []op{{kind: "create", key: "a", value: "1"}, {kind: "create", key: "b", value: "1"}})
	s.Sync()
	mustApply(t, s, []op{{kind: "delete", key: "a"}, {kind: "update", key: "b", value: "2"}})
	s.Sync()
	if err := s.flush(4); err != nil { // the file at revision 4, the log holds 1..4
		t.Fatal(err)
	}
	mustApply(t, s, []op{{kind: "create", key: "a", value: "3"}, {kind: "delete", key: "b"}})
	s.Sync()
	mustApply(t, s, []op{{kind: "update", key: "a", value: "4"}}) // not synced
	if err := s.crash(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, Options{Path: path})
	got, rev := contents(s)
	if rev != 6 || len(got) != 1 || got[0].Key != "a" || string(got[0].Value) != "3" || got[0].CreateRev != 5 {
		t.Errorf("after the crash: revision %d, %+v; want revision 6 and only a=3 created at 5", rev, got)
	}
}

// TestReplayIdempotent: a crash after Open replayed the log into the file
// but before it removed the log leaves records the file already holds;
// opening again changes nothing.
func TestReplayIdempotent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "store.db")
	s := openStore(t, Options{Path: path})
	rng := rand.New(rand.NewPCG(18, 2))
	for i := range 200 {
		randomOp(s, rng, i)
		if i%7 == 0 {
			s.Sync()
		}
	}
	s.Sync()
	want, wantRev := contents(s)
	s.crash()
	saved := filepath.Join(t.TempDir(), "saved")
	copyState(t, dir, saved)
	for i := range 3 {
		s = openStore(t, Options{Path: path})
		if _, err := os.Stat(logDir(path)); err != nil {
			t.Fatalf("open %d: no log directory: %v", i, err)
		}
		got, rev := contents(s)
		if rev != wantRev {
			t.Fatalf("open %d: revision %d, want %d", i, rev, wantRev)
		}
		if d := cmp.Diff(want, got, kvOpts); d != "" {
			t.Fatalf("open %d (-want +got):\n%s", i, d)
		}
		s.crash()
		// Put the replayed log back beside the file that now holds it.
		os.RemoveAll(logDir(path))
		copyState(t, filepath.Join(saved, "store.db.wal"), logDir(path))
	}
}

// logSegments returns the log's segment paths.
func logSegments(t *testing.T, path string) []string {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(logDir(path), "*.wal"))
	if err != nil || len(segs) == 0 {
		t.Fatalf("no log segments: %v", err)
	}
	return segs
}

// TestTornLogRecord: the last commit's record cut at every byte (as a
// crash during its write leaves it): Open has the commit before it.
func TestTornLogRecord(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "store.db")
	s := openStore(t, Options{Path: path})
	mustApply(t, s, []op{{kind: "create", key: "a", value: "1"}, {kind: "create", key: "b", value: "1"}})
	s.Sync()
	want, wantRev := contents(s)
	seg := logSegments(t, path)[0]
	before, _ := os.ReadFile(seg)
	mustApply(t, s, []op{{kind: "update", key: "a", value: "2"}, {kind: "delete", key: "b"}, {kind: "create", key: "c", value: "3"}})
	s.Sync()
	after, _ := os.ReadFile(seg)
	s.crash()
	start, end := 0, len(after)
	for start < len(before) && before[start] == after[start] {
		start++
	}
	for end > start && end <= len(before) && before[end-1] == after[end-1] {
		end--
	}
	if end-start < 30 {
		t.Fatalf("the last record spans bytes %d to %d", start, end)
	}
	saved := t.TempDir()
	copyState(t, dir, saved)
	d := filepath.Join(t.TempDir(), "cut")
	for cut := start; cut < end; cut++ {
		os.RemoveAll(d)
		copyState(t, saved, d)
		torn := append(append([]byte(nil), after[:cut]...), before[cut:]...)
		if err := os.WriteFile(filepath.Join(d, "store.db.wal", filepath.Base(seg)), torn, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := Open(Options{Path: filepath.Join(d, "store.db")})
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		got, rev := contents(st)
		if rev != wantRev || !cmp.Equal(want, got, kvOpts) {
			t.Fatalf("cut at %d: revision %d, %d keys; want revision %d, %d keys", cut, rev, len(got), wantRev, len(want))
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDamagedLog: a record damaged with good records after it fails Open
// with a one-line ErrDamaged; Repair keeps what precedes the damage and
// moves the log aside.
func TestDamagedLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "store.db")
	s := openStore(t, Options{Path: path})
	var states [][]KV
	for i := range 6 {
		mustApply(t, s, []op{{kind: "create", key: fmt.Sprintf("k%d", i), value: strings.Repeat("v", 40)}})
		s.Sync()
		kvs, _ := contents(s)
		states = append(states, kvs)
	}
	s.crash()
	seg := logSegments(t, path)[0]
	b, _ := os.ReadFile(seg)
	i := strings.Index(string(b), "k2") // in the third record
	b[i+10] ^= 0x20
	os.WriteFile(seg, b, 0o600)

	_, err := Open(Options{Path: path})
	if !errors.Is(err, ErrDamaged) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "write-ahead log") {
		t.Fatalf("Open with a damaged log: %v; want a one-line ErrDamaged naming the log", err)
	}
	t.Log(err)
	r := openStore(t, Options{Path: path, Repair: true})
	got, rev := contents(r)
	if rev != 2 || !cmp.Equal(states[1], got, kvOpts) {
		t.Errorf("repaired: revision %d, %d keys; want the 2 before the damage", rev, len(got))
	}
	if sk := r.Skipped(); len(sk) != 1 || sk[0].Key != SkippedLog || !strings.Contains(sk[0].Problem, "revisions after 2 were left out") {
		t.Errorf("Skipped = %+v", sk)
	}
	if _, err := os.Stat(logDir(path) + ".damaged"); err != nil {
		t.Errorf("the damaged log is not kept aside: %v", err)
	}
}

// TestCloseRemovesLog: a closed store is its file alone.
func TestCloseRemovesLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, watchSetup)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(logDir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("log directory after Close: %v", err)
	}
	s = openStore(t, Options{Path: path, NoSync: true})
	if rev := s.Rev(); rev != int64(len(watchSetup)) {
		t.Errorf("revision %d from the file alone, want %d", rev, len(watchSetup))
	}
}

// fileRev reads the revision the bbolt file holds.
func fileRev(t *testing.T, s *Store) int64 {
	t.Helper()
	var rev int64
	if err := s.db.View(func(tx *bolt.Tx) error {
		if rb := tx.Bucket(bucketMeta).Get(metaRev); len(rb) == 8 {
			rev = int64(binary.BigEndian.Uint64(rb))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestCheckpoint: Checkpoint brings the file to the last commit and
// commits nothing itself; below checkpointBytes the file waits.
func TestCheckpoint(t *testing.T) {
	s := openStore(t, Options{})
	mustApply(t, s, watchSetup[:3])
	s.Sync()
	mustApply(t, s, watchSetup[3:4])
	if got := fileRev(t, s); got != 0 {
		t.Errorf("file at revision %d before a checkpoint, want 0 (the commit is in the log)", got)
	}
	if err := s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if got := fileRev(t, s); got != 3 {
		t.Errorf("file at revision %d after Checkpoint, want 3 (the last commit)", got)
	}
	if st := s.Stats(); st.Commits != 1 {
		t.Errorf("Checkpoint committed: %+v", st)
	}
}

// TestDamagedLogCheckpointed: a damaged record the file already holds
// (checkpointed before the crash) costs nothing: Open replays the records
// after it.
func TestDamagedLogCheckpointed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s := openStore(t, Options{Path: path})
	for i := range 6 {
		mustApply(t, s, []op{{kind: "create", key: fmt.Sprintf("k%d", i), value: strings.Repeat("v", 40)}})
		s.Sync()
		if i == 2 {
			s.Checkpoint()
		}
	}
	want, _ := contents(s)
	s.crash()
	seg := logSegments(t, path)[0]
	b, _ := os.ReadFile(seg)
	i := strings.Index(string(b), "k1")
	b[i+10] ^= 0x20
	os.WriteFile(seg, b, 0o600)
	r := openStore(t, Options{Path: path})
	if got, rev := contents(r); rev != 6 || !cmp.Equal(want, got, kvOpts) {
		t.Errorf("revision %d, %d keys; want 6 and all 6 keys", rev, len(got))
	}
}

// TestCrashBetweenPieces: a record checkpointed in pieces, the process
// killed after the first piece's transaction: the file holds keys ahead of
// its revision, and Open's replay of the record makes it whole.
func TestCrashBetweenPieces(t *testing.T) {
	smallPieces(t, 1<<10, 2<<10)
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(Options{Path: path}) // crashed below: not openStore's check
	if err != nil {
		t.Fatal(err)
	}
	var ops []op
	for i := range 40 {
		ops = append(ops, op{kind: "create", key: fmt.Sprintf("/k/%03d", i), value: strings.Repeat("v", 200)})
	}
	mustApply(t, s, ops)
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	want, wantRev := contents(s)
	pieces := 0
	checkpointPieceHook = func() error {
		if pieces++; pieces == 2 {
			return errors.New("killed")
		}
		return nil
	}
	t.Cleanup(func() { checkpointPieceHook = nil })
	if err := s.Checkpoint(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("Checkpoint: %v, want the hook's error", err)
	}
	checkpointPieceHook = nil
	s.crash()
	if pieces != 2 {
		t.Fatalf("%d pieces begun, want 2", pieces)
	}
	// The file alone: the first piece's keys, at revisions beyond its own.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var fileRev int64
	keys := 0
	db.View(func(tx *bolt.Tx) error {
		if rb := tx.Bucket(bucketMeta).Get(metaRev); len(rb) == 8 {
			fileRev = int64(binary.BigEndian.Uint64(rb))
		}
		keys = tx.Bucket(bucketKV).Stats().KeyN
		return nil
	})
	db.Close()
	if fileRev != 0 || keys == 0 || keys == len(ops) {
		t.Fatalf("file after the first piece: revision %d, %d keys; want revision 0 and some of %d keys", fileRev, keys, len(ops))
	}
	s = openStore(t, Options{Path: path})
	got, rev := contents(s)
	if rev != wantRev {
		t.Errorf("revision %d after the crash, want %d", rev, wantRev)
	}
	if d := cmp.Diff(want, got, kvOpts); d != "" {
		t.Errorf("contents after the crash (-want +got):\n%s", d)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// TestConcurrentCommitsCrash: many writers whose commits overlap (one
// written while the one before is synced), crashed while they write:
// every acknowledged create is in the reopened store, no revision is
// reused, and the log and file pass Check.
func TestConcurrentCommitsCrash(t *testing.T) {
	smallLog(t, 8<<10, 16<<10)
	path := filepath.Join(t.TempDir(), "store.db")
	for round := range 4 {
		s, err := Open(Options{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		base := s.Rev()
		// A real kill returns nothing after it; crash() lets a Sync
		// return after it dropped the pending writes: not counted.
		var crashed atomic.Bool
		var mu sync.Mutex
		acked := map[string]int64{}
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Go(func() {
				for i := 0; ; i++ {
					key := fmt.Sprintf("/r%d/g%02d/%04d", round, g, i)
					kv, err := s.Create(key, []byte(strings.Repeat("v", 100+i%300)), nil)
					if err != nil {
						return
					}
					if err := s.Sync(); err != nil || crashed.Load() {
						return
					}
					mu.Lock()
					acked[key] = kv.ModRev
					n := len(acked)
					mu.Unlock()
					if n >= 1500 {
						return
					}
				}
			})
		}
		// Crash once a third of the writes are acknowledged.
		for {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= 500 {
				break
			}
			runtime.Gosched()
		}
		crashed.Store(true)
		if err := s.crash(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if st := s.Stats(); st.Commits >= st.Mutations {
			t.Logf("round %d: %d commits for %d writes: commits did not group", round, st.Commits, st.Mutations)
		}
		s, err = Open(Options{Path: path})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		for key, rev := range acked {
			kv, err := s.Get(key)
			if err != nil || kv.ModRev != rev {
				t.Fatalf("round %d: acknowledged %s at %d: %+v, %v", round, key, rev, kv, err)
			}
		}
		if s.Rev() < base+int64(len(acked)) {
			t.Fatalf("round %d: revision %d after the crash, below %d acknowledged creates", round, s.Rev(), base+int64(len(acked)))
		}
		if err := s.Check(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
