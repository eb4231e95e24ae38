package controllers

import (
	"slices"
	"testing"

	"kubesim/sim/loop"
)

// TestResourceMatchesSplitKey: the loop picks a component's events by
// loop.Resource, the controllers act on splitKey's resource; they must
// agree, or a controller would miss events it wants.
func TestResourceMatchesSplitKey(t *testing.T) {
	for _, key := range []string{
		"/registry/pods/default/web-1", "/registry/nodes/w1", "/registry/events/default/web-1.17a",
		"/registry/customresourcedefinitions/fruits.example.org",
		"/registry/example.org/fruits/default/apple", "/registry/example.org/fruits/apple", "/registry/example.org/fruits",
		"/registry/example.org", "/registry/pods", "/registry/", "/other/pods/x", "",
	} {
		res, _, _ := splitKey(key)
		if got := loop.Resource(key); got != res {
			t.Errorf("loop.Resource(%q) = %q, splitKey's resource %q", key, got, res)
		}
	}
}

// TestControllersWantTheirResources: each controller wants its primary and
// owned resources' events and the ones its onEvent acts on; pods' and
// events' events go only to the controllers that act on them.
func TestControllersWantTheirResources(t *testing.T) {
	comps, err := All(newEnv(t, "v1.30.0").ctx)
	if err != nil {
		t.Fatal(err)
	}
	wanting := func(res string) []string {
		var out []string
		for _, c := range comps {
			if s, ok := c.(loop.Selective); !ok || s.Wants(res) {
				out = append(out, c.Name())
			}
		}
		return out
	}
	want := map[string][]string{
		"pods": {"nodelifecycle", "namespace", "deployment", "replicaset", "daemonset", "job", "statefulset", "endpoint",
			"endpointslice", "disruption", "resourcequota", "persistentvolume-binder", "garbagecollector"},
		"events":             {"namespace"},
		"nodes":              {"nodeipam", "nodelifecycle", "namespace", "daemonset", "endpoint", "endpointslice", "resourcequota", "garbagecollector"},
		"example.org/fruits": {"namespace", "resourcequota", "garbagecollector", "crd"},
	}
	for res, w := range want {
		if got := wanting(res); !slices.Equal(got, w) {
			t.Errorf("components wanting %s:\n got %q\nwant %q", res, got, w)
		}
	}
}
