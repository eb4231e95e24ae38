package practice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"kubesim/internal/kubectl"
)

// ErrSimulationOnly is what Remote answers for what only a simulated
// cluster can do: move its clock, power its machines.
var ErrSimulationOnly = errors.New("needs a simulated cluster")

// Remote runs scenarios and transcripts against an existing cluster, one
// reached only through a kubeconfig (kind, kubeadm, a cloud, another
// kubesim). It implements scenarios.Env: kubectl is the embedded kubectl
// on that kubeconfig; curl runs as wget in a throwaway busybox pod (the
// cluster network is not this machine's); advance, node directives and
// vagrant are refused with ErrSimulationOnly.
type Remote struct {
	Kubeconfig string
	// Binary is a kubesim executable (or a test binary with
	// kubesimtest.Main) for the scripts' kubectl; empty: the kubectl on
	// PATH.
	Binary string
	// SettleOnAdvance makes Advance wait (up to its duration of wall
	// time) for the cluster to settle instead of refusing: the scenario
	// runner's settle before verify, where a simulation moves its clock
	// and a real cluster takes the time. A transcript's advance stays
	// refused.
	SettleOnAdvance bool

	dir     string
	kubectl *kubectl.Runner
	client  kubernetes.Interface
	shimErr error
}

// NewRemote returns a Remote for kubeconfig with its files in dir.
func NewRemote(kubeconfigPath, dir, binary string) (*Remote, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfigPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", kubeconfigPath, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	r := &Remote{Kubeconfig: kubeconfigPath, Binary: binary, dir: dir, client: cs,
		kubectl: kubectl.NewRemote(kubeconfigPath, filepath.Join(dir, "kubectl"))}
	r.shimErr = r.writeShims()
	return r, nil
}

// Run implements scenarios.Env. Lines with shell syntax, and curl, go
// through bash with ScriptEnv.
func (r *Remote) Run(ctx context.Context, line string, stdout, stderr io.Writer) (int, error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return 0, nil
	}
	args, err := SplitWords(line)
	if err != nil {
		fmt.Fprintf(stderr, "bash: %v\n", err)
		return 2, nil
	}
	if !strings.ContainsAny(line, "|&;<>$`(){}*") && len(args) > 0 {
		switch args[0] {
		case "kubectl", "k":
			return r.kubectl.Run(args[1:], nil, stdout, stderr), nil
		case "kubesim":
			if len(args) > 1 && args[1] == "kubectl" {
				return r.kubectl.Run(args[2:], nil, stdout, stderr), nil
			}
			fmt.Fprintf(stderr, "kubesim %s: %s %v: %s is an existing cluster\n", strings.Join(args[1:], " "), args[0], ErrSimulationOnly, r.Kubeconfig)
			return 1, nil
		}
	}
	cmd := bashCommand(ctx, line)
	cmd.Env = r.ScriptEnv()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return 1, err
	}
	return 0, nil
}

// Advance implements scenarios.Env: refused (a real cluster's clock cannot
// be moved), or with SettleOnAdvance a wait for the cluster to settle.
func (r *Remote) Advance(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if !r.SettleOnAdvance {
		return fmt.Errorf("advance %s: moving the clock %w; %s is an existing cluster", duration.HumanDuration(d), ErrSimulationOnly, r.Kubeconfig)
	}
	r.settle(d)
	return nil
}

// Directive implements scenarios.Env: node power directives are refused.
func (r *Remote) Directive(name string, args []string) error {
	return fmt.Errorf("%s %s: powering nodes %w; %s is an existing cluster", name, strings.Join(args, " "), ErrSimulationOnly, r.Kubeconfig)
}

// ScriptEnv implements scenarios.Env: PATH starts with the shims.
func (r *Remote) ScriptEnv() []string {
	env := []string{"HOME=" + filepath.Join(r.dir, "home"), "TERM=dumb", "LANG=C.UTF-8",
		"KUBECONFIG=" + r.Kubeconfig, "KUBESIM_STATE=" + filepath.Join(r.dir, "state")}
	if r.shimErr != nil {
		return append(env, "PATH="+os.Getenv("PATH"))
	}
	return append(env, "PATH="+filepath.Join(r.dir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// remoteCurl is curl on an existing cluster: the cluster network is not
// this machine's, so the request runs as busybox wget in a throwaway pod.
const remoteCurl = `#!/bin/sh
# curl against an existing cluster (kubesim scenario test --kubeconfig):
# its network is the cluster's, so this runs wget in a throwaway pod.
url=""
for a in "$@"; do
	case "$a" in
	-s|-S|-sS|-Ss|--silent|-f|--fail|-sf|-fs|-fsS|-sSf|-L|-sL) ;;
	-*) echo "curl: $a: not supported against an existing cluster (curl runs there as wget in a busybox pod)" >&2; exit 2 ;;
	*) url="$a" ;;
	esac
done
exec kubectl run "curl-$$" -q -i --rm --restart=Never --image=busybox:1.36 --command -- wget -q -O - "$url"
`

func (r *Remote) writeShims() error {
	bin := filepath.Join(r.dir, "bin")
	for _, d := range []string{bin, filepath.Join(r.dir, "home"), filepath.Join(r.dir, "state")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	refuse := func(name, what string) string {
		return fmt.Sprintf("#!/bin/sh\necho \"%s: %s %v; %s is an existing cluster\" >&2\nexit 1\n", name, what, ErrSimulationOnly, r.Kubeconfig)
	}
	shims := map[string]string{
		"curl":    remoteCurl,
		"vagrant": refuse("vagrant", "powering machines"),
	}
	if r.Binary != "" {
		shims["kubectl"] = fmt.Sprintf("#!/bin/sh\nexec %q kubectl \"$@\"\n", r.Binary)
		shims["k"] = shims["kubectl"]
	} else {
		shims["k"] = "#!/bin/sh\nexec kubectl \"$@\"\n"
	}
	for name, body := range shims {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// settle waits, at most d of wall time, until no pod is being created,
// deleted or started: every pod has ended, or runs with its containers
// ready, or is stuck in a state only the user can change (a failing
// image pull, a crash loop).
func (r *Remote) settle(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		pods, err := r.client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if err == nil && settled(pods.Items) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func settled(pods []corev1.Pod) bool {
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			return false
		}
		switch p.Status.Phase {
		case corev1.PodSucceeded, corev1.PodFailed:
			continue
		}
		if p.Spec.NodeName == "" {
			if !unschedulable(p) {
				return false
			}
			continue
		}
		for _, cs := range p.Status.ContainerStatuses {
			if cs.Ready {
				continue
			}
			if w := cs.State.Waiting; w != nil {
				switch w.Reason {
				case "ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "InvalidImageName", "CreateContainerConfigError":
					continue
				}
			}
			return false
		}
		if len(p.Status.ContainerStatuses) < len(p.Spec.Containers) {
			return false
		}
	}
	return true
}

// unschedulable: the scheduler said no (a scenario about scheduling may
// leave a pod Pending on purpose).
func unschedulable(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return true
		}
	}
	return false
}
