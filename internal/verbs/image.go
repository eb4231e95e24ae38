package verbs

import (
	"fmt"
	"io"
	"os"

	"kubesim/runtime/images"
	"kubesim/sim"
)

// Image is `kubesim image load NAME --from FILE`: FILE is a catalog entry
// (runtime/images' catalog.yaml schema: config, shell, binaries, files,
// dirs; repo and releases may be left out) and NAME the reference pods
// will use. Every node can pull it from then on, and it survives a
// restart. It prints what `kind load docker-image` prints per node.
func Image(c *sim.Cluster, args []string, stdout, stderr io.Writer) int {
	const usage = "usage: kubesim image load NAME --from FILE"
	if len(args) == 0 || args[0] != "load" {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	var name, from string
	for i := 1; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--from" && i+1 < len(args):
			from = args[i+1]
			i++
		case len(a) > 7 && a[:7] == "--from=":
			from = a[7:]
		case name == "" && a != "" && a[0] != '-':
			name = a
		default:
			fmt.Fprintln(stderr, usage)
			return 2
		}
	}
	if name == "" || from == "" {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	b, err := os.ReadFile(from)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	e, err := images.ParseEntry(b)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %s: %v\n", from, err)
		return 1
	}
	var img *images.Image
	c.Do(func() { img, err = c.LoadImage(name, e) })
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	for _, node := range c.Nodes() {
		fmt.Fprintf(stdout, "Image: %q with ID %q not yet present on node %q, loading...\n", name, img.ID, node)
	}
	return 0
}
