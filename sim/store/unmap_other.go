//go:build !linux

package store

import bolt "go.etcd.io/bbolt"

// dropMappedPages is Linux's madvise(MADV_DONTNEED) of bbolt's mapping
// (unmap_linux.go); elsewhere the kernel decides.
func dropMappedPages(*bolt.DB) {}
