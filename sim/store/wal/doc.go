// Package wal is the store's write-ahead log: the commit appends one record
// per batch to it and makes that record durable with one fdatasync of a
// contiguous append, and the bbolt file is brought up to date later, in the
// background (etcd's WAL beside its backend).
//
// It owns:
//   - the segment files in one directory (<store file>.wal): each starts
//     with a header naming the revision its first record follows, and holds
//     records back to back; a segment is grown by written zeros 256 KiB at
//     a time (so an fdatasync rarely has file metadata to commit), and one the
//     store has checkpointed past is reused rather than recreated;
//   - the record format: payload length, a CRC-32C over the record, the
//     revisions (from, to] it covers, the payload;
//   - reading the log back (Replay, Scan): records in revision order, each
//     exactly following the one before, up to the first torn or
//     mis-checksummed record; damage that is not a torn tail (a bad record
//     with good ones after it, a missing revision range, a segment whose
//     header is not a log header) is an error, never a silent loss. One
//     exception: records may be written two at a time, the second while
//     the first is synced (WriteRecord, Sync), so a bad record followed by
//     exactly one good record that ends the log is a torn tail (the
//     second is acknowledged only once the first is durable).
//
// It must not:
//   - interpret payloads (the store encodes and applies its batches);
//   - read the clock or start goroutines: the store decides when to
//     checkpoint (Release) and who appends.
//
// Why records chain by revision: a reused segment still holds an older
// generation's records after the new tail; those have lower revisions, so
// the chain (each record's from is the previous record's to) ends at the
// tail whatever lies beyond it.
package wal
