package hosts

import (
	"net/url"
	"sort"
	"strings"
	"time"
)

// While the API does not serve, every node's kubelet fails to reach it
// and says so in its journal, as `journalctl -u kubelet` shows on a real
// node: each node status update (every 10 s) tries five times, the first
// from the apiserver's cache ("Error updating node status, will retry" …
// "connect: connection refused"), then gives up ("Unable to update node
// status"); the lease controller retries every 7 s ("Failed to ensure
// lease exists, will retry"). The lines are written when the journal is
// read, for the time the API was down after it had served, at most the
// last hour of it (kubeadm init's own wait for the control plane is not
// an outage here).

const (
	statusUpdateEvery = 10 * time.Second // nodeStatusUpdateFrequency
	leaseRetryEvery   = 7 * time.Second  // the lease controller's maximum back-off
	apiJournalWindow  = time.Hour
)

// apiDowntime is when the API did not serve: closed intervals and, while
// down, the open one.
type apiDowntime struct {
	seen   bool // the gate has answered once
	up     bool
	downs  [][2]time.Time // [from, to); to zero while down
	logged map[string]time.Time
}

func (hs *Hosts) downtime() *apiDowntime {
	type key struct{}
	return hs.c.Extension(key{}, func() any { return &apiDowntime{up: true, logged: map[string]time.Time{}} }).(*apiDowntime)
}

// noteAPI records whether the API serves now (the gate's answer). Called
// with the cluster lock held.
func (hs *Hosts) noteAPI(up bool) {
	d := hs.downtime()
	if !d.seen {
		// What the hosts find when they are built is no outage: bare
		// machines before kubeadm init have never had an API server.
		d.seen, d.up = true, up
		return
	}
	if up == d.up {
		return
	}
	now := hs.c.Clock.Now()
	d.up = up
	if !up {
		d.downs = append(d.downs, [2]time.Time{now, {}})
		return
	}
	if n := len(d.downs); n > 0 {
		d.downs[n-1][1] = now
	}
}

// apiJournal writes the kubelet's failed calls to the API up to now. Call
// it with the cluster lock held.
func (h *Host) apiJournal() {
	d := h.hs.downtime()
	u := h.units["kubelet.service"]
	if u == nil || len(d.downs) == 0 {
		return
	}
	now := h.now()
	from := d.logged[h.Name]
	if from.Before(now.Add(-apiJournalWindow)) {
		from = now.Add(-apiJournalWindow)
	}
	d.logged[h.Name] = now
	server := "https://" + h.hs.hosts[h.hs.ControlPlane()].IP + ":6443"
	if b, err := h.fs.ReadFile("/etc/kubernetes/kubelet.conf"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "server: "); ok {
				server = strings.TrimSuffix(strings.TrimSpace(v), "/")
				break
			}
		}
	}
	hostPort := strings.TrimPrefix(strings.TrimPrefix(server, "https://"), "http://")
	if pu, err := url.Parse(server); err == nil && pu.Port() == "" {
		hostPort += ":443"
	}
	refused := "dial tcp " + hostPort + ": connect: connection refused"
	node := strings.ToLower(h.Name)
	added := false
	for _, iv := range d.downs {
		start, end := iv[0], iv[1]
		if end.IsZero() || end.After(now) {
			end = now
		}
		if start.Before(from) {
			start = from
		}
		pid := u.pid
		for t := start.Truncate(statusUpdateEvery).Add(statusUpdateEvery); !t.After(end); t = t.Add(statusUpdateEvery) {
			if !h.kubeletRanAt(u, t) {
				continue
			}
			for try := 0; try < 5; try++ {
				q := "?timeout=10s"
				if try == 0 {
					q = "?resourceVersion=0&timeout=10s"
				}
				at := t.Add(time.Duration(try) * 300 * time.Microsecond)
				h.journalf(at, "kubelet", pid, u.name, "E%s %7d kubelet_node_status.go:540] \"Error updating node status, will retry\" err=%q", klogTime(at), pid,
					"error getting node \""+node+"\": Get \""+server+"/api/v1/nodes/"+node+q+"\": "+refused)
			}
			at := t.Add(1500 * time.Microsecond)
			h.journalf(at, "kubelet", pid, u.name, "E%s %7d kubelet_node_status.go:527] \"Unable to update node status\" err=\"update node status exceeds retry count\"", klogTime(at), pid)
			added = true
		}
		for t := start.Truncate(leaseRetryEvery).Add(leaseRetryEvery); !t.After(end); t = t.Add(leaseRetryEvery) {
			if !h.kubeletRanAt(u, t) {
				continue
			}
			h.journalf(t, "kubelet", pid, u.name, "E%s %7d controller.go:146] \"Failed to ensure lease exists, will retry\" err=%q interval=\"7s\"", klogTime(t), pid,
				"Get \""+server+"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/"+node+"?timeout=10s\": "+refused)
			added = true
		}
	}
	if added {
		sort.SliceStable(h.journal, func(i, j int) bool { return h.journal[i].at.Before(h.journal[j].at) })
	}
}

// kubeletRanAt reports whether the kubelet's current run covers t.
func (h *Host) kubeletRanAt(u *unit, t time.Time) bool {
	return u.active && !t.Before(u.since)
}
