package server

import "time"

// checkpointEvery is how often a served cluster writes what its store's
// write-ahead log holds to the bbolt file (etcd's backend commits every
// 100 ms): a restart after a crash then replays at most that much. The
// store also checkpoints on its own every 16 MiB of log.
const checkpointEvery = 500 * time.Millisecond

// checkpointLoop checkpoints the store on the wall clock until Close.
// Checkpointing commits nothing: what the cluster sees is unchanged.
func (s *Served) checkpointLoop() {
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Cluster.Store.Checkpoint()
		}
	}
}
