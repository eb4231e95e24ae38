package chain

import "strings"

// RuntimeSpec is the OCI runtime spec (the bundle's config.json) runc was
// given for container or sandbox id, as JSON, or nil when there is none:
// what `crictl inspect` shows as info.runtimeSpec.
func (c *Chain) RuntimeSpec(id string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.m.procs[id]; p != nil {
		if b, ok := c.m.files[p.bundle+"/config.json"]; ok {
			return append([]byte(nil), b...)
		}
	}
	// The task is gone (an exited container): its bundle's file may
	// remain.
	var found string
	for path := range c.m.files {
		if strings.HasSuffix(path, "/"+id+"/config.json") && (found == "" || path < found) {
			found = path
		}
	}
	if found == "" {
		return nil
	}
	return append([]byte(nil), c.m.files[found]...)
}
