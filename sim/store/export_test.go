package store

// crash closes the file the way a killed process would leave it: pending
// mutations (not yet handed to a Sync) are dropped, nothing more is written.
func (s *Store) crash() error {
	s.mu.Lock()
	s.closed = true
	ws := s.dropWatchers()
	clear(s.pending)
	s.pending = nil
	s.mu.Unlock()
	for _, w := range ws {
		w.stop()
	}
	return s.closeDB(true)
}
