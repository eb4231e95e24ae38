package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	goruntime "runtime"
	"time"

	"github.com/spf13/cobra"

	"kubesim/dashboard"
	"kubesim/server"
)

// servedAPI is how `kubesim map` and `kubesim dashboard` reach the running
// cluster: its address and a Get through the HTTPS API with its token.
func servedAPI() (addr, token string, get dashboard.Get, err error) {
	dir := stateDir()
	pid, addr, err := server.ReadRuntime(dir)
	if err != nil || !alive(pid) {
		return "", "", nil, errors.New("kubesim is not running: start it with `kubesim start`")
	}
	c, err := httpsClient(dir)
	if err != nil {
		return "", "", nil, err
	}
	tok, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		return "", "", nil, err
	}
	get = func(ctx context.Context, path string) ([]byte, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+string(tok))
		req.Header.Set("Accept", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return body, nil
	}
	return addr, string(tok), get, nil
}

// writerIsTerminal reports whether w is a terminal.
func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}

// mapCmd is `kubesim map`. Not `top`: kubectl top (and minikube's and
// k9s's) means resource usage from the metrics API; this is placement.
func mapCmd() *cobra.Command {
	var watch bool
	var interval time.Duration
	var colorMode string
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Draw the nodes as boxes with their pods (status, IP) and each node's pod subnet",
		Long: "Draw the running cluster's nodes as boxes holding their pods: each pod's status (coloured by phase),\n" +
			"namespace/name and IP, and each node's flannel subnet (spec.podCIDR). --watch redraws when it changes.\n" +
			"Colour is on when stdout is a terminal and NO_COLOR is unset (--color=always|never overrides).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			var color bool
			switch colorMode {
			case "auto":
				color = writerIsTerminal(out) && os.Getenv("NO_COLOR") == ""
			case "always":
				color = true
			case "never":
			default:
				return fmt.Errorf("invalid --color %q: one of auto, always, never", colorMode)
			}
			if interval <= 0 {
				return fmt.Errorf("invalid --interval %v: must be positive", interval)
			}
			_, _, get, err := servedAPI()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			return drawMap(ctx, dashboard.FromAPI(get), out, color, watch, interval)
		},
	}
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "redraw whenever the map changes (until Ctrl-C)")
	cmd.Flags().DurationVar(&interval, "interval", time.Second, "with --watch: how often to read the cluster")
	cmd.Flags().StringVar(&colorMode, "color", "auto", "colour by phase: auto (a terminal, NO_COLOR unset), always or never")
	return cmd
}

// dashboardCmd is `kubesim dashboard`, as `minikube dashboard`: it opens
// the page in a browser, or with --url prints its address only.
func dashboardCmd() *cobra.Command {
	var urlOnly bool
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Open the live web map of the cluster (--url: print its address)",
		Long: "The running cluster serves a live map of its nodes and pods at /dashboard/ on its API address.\n" +
			"The address carries the cluster's token, which the page trades for a cookie; the certificate is\n" +
			"the cluster's own CA (ca.crt in the state folder), so a browser asks before trusting it.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, tok, _, err := servedAPI()
			if err != nil {
				return err
			}
			u := server.DashboardURL(addr, tok)
			fmt.Fprintln(cmd.OutOrStdout(), u)
			if urlOnly {
				return nil
			}
			opener := "xdg-open"
			if goruntime.GOOS == "darwin" {
				opener = "open"
			}
			if goruntime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
				fmt.Fprintln(cmd.ErrOrStderr(), "No display to open a browser on: open the address above.")
				return nil
			}
			if err := exec.Command(opener, u).Start(); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "Could not open a browser (%v): open the address above.\n", err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&urlOnly, "url", false, "print the address instead of opening a browser")
	return cmd
}

// drawMap writes src's map to out, and with watch again each time it
// differs from the last one drawn (a terminal is cleared first; other
// output gets a blank line between maps), reading every interval until ctx
// ends.
func drawMap(ctx context.Context, src dashboard.Source, out io.Writer, color, watch bool, interval time.Duration) error {
	var last []byte
	for {
		m, err := src(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		var b bytes.Buffer
		dashboard.Render(&b, m, color)
		if !bytes.Equal(b.Bytes(), last) {
			if last != nil {
				if writerIsTerminal(out) {
					io.WriteString(out, "\x1b[H\x1b[2J") // home, clear
				} else {
					io.WriteString(out, "\n")
				}
			}
			out.Write(b.Bytes())
			last = b.Bytes()
		}
		if !watch {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}
