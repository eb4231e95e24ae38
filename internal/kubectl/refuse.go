package kubectl

import (
	"net"
	"os"
	"syscall"
)

// SetRefuse makes the in-memory transport refuse every connection while
// down reports true, as a machine whose API server is not running does:
// kubectl then prints its own "The connection to the server … was refused"
// (the cluster's kube-apiserver static pod does not serve). It must not be
// called while a command runs.
func (r *Runner) SetRefuse(down func() bool) { r.refuse = down }

// refused is the dial error of a connection nothing listens for.
func refused() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}
