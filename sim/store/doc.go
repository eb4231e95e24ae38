// Package store is kubesim's stand-in for etcd: an MVCC key-value store with
// a global revision, kept in one bbolt file per cluster and the write-ahead
// log beside it.
//
// It owns:
//   - the revision counter (every mutation adds one, as in etcd) and each
//     key's create and mod revision;
//   - an in-memory index from which every read is served (Get, List, Count);
//   - group commit: mutations are applied to the index at once and made
//     durable by the next Sync, many writers sharing one commit: one record
//     appended to the write-ahead log (package wal) and one fdatasync; two
//     commits overlap (the next record is written while the one before is
//     synced, the syncs run together), and each is released only after
//     the one before it;
//     a checkpointer goroutine writes the logged batches to the bbolt file
//     later, and Open replays what a crash left in the log (log.go). With
//     NoSync there is no log and a commit is a bbolt transaction;
//   - a bounded in-memory history of events, so that a watch can resume from
//     a revision, and ErrCompacted once that revision has left the history;
//   - the live event stream: one shared, lock-free log that every Watcher
//     reads at its own pace (a write costs each matching watcher a flag
//     check, not a copy). A committed watcher (WatchCommitted, what the API
//     server's watch streams use) is handed an event only once a commit has
//     made its revision durable, and is signalled by that commit, so a
//     crash never takes back what a client saw; a plain watcher (the
//     simulation loop's) sees each write at once.
//
// It must not:
//   - interpret values or KV.Obj (that is the registry's business: the store
//     holds bytes and an opaque decoded form);
//   - read the clock, sleep, or start timers: the caller decides when to Sync
//     (the simulation loop does it once per step);
//   - block a writer on a slow watcher: a watcher that does not Pull keeps
//     the log from its position alive (memory), never the writer waiting.
//
// Concurrency: every method of Store and Watcher may be called from any
// goroutine. Values handed to Create and Update, and values returned by reads
// and events, are shared with the store and must not be modified.
package store
