package cri

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/chain"
)

// Serve listens on socketPath (a stale socket file is replaced) and serves
// both CRI services of c until stop is called. stop is idempotent; it stops
// the server and removes the socket.
//
// Calls through the socket run on the chain like the kubelet's: they are
// traced and their modelled cost is added to the chain's pending cost.
func Serve(socketPath string, c *chain.Chain) (stop func() error, err error) {
	if c == nil {
		return nil, errors.New("cri: nil chain")
	}
	if err := os.Remove(socketPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("cri: remove stale socket %s: %w", socketPath, err)
	}
	l, err := net.Listen("unix", socketPath)
	if err != nil {
		return nil, fmt.Errorf("cri: listen on %s: %w", socketPath, err)
	}
	// The socket's mode would come from the umask (often 0755 or 0775:
	// anyone in the group could StopContainer). Owner only, as the
	// kubelet's runtimes expect of /run/containerd/containerd.sock.
	if err := os.Chmod(socketPath, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("cri: restrict %s to its owner: %w", socketPath, err)
	}
	srv := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(srv, c.Runtime())
	runtimeapi.RegisterImageServiceServer(srv, c.Images())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	var once sync.Once
	var stopErr error
	return func() error {
		once.Do(func() {
			srv.Stop()
			if err := <-done; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				stopErr = err
			}
			if err := os.Remove(socketPath); err != nil && !errors.Is(err, os.ErrNotExist) {
				stopErr = errors.Join(stopErr, err)
			}
		})
		return stopErr
	}, nil
}
