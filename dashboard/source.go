package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	corev1 "k8s.io/api/core/v1"
)

// Source reads the cluster's current Map.
type Source func(ctx context.Context) (Map, error)

// Get fetches an API path (/api/v1/nodes) and returns the body of a 200.
type Get func(ctx context.Context, path string) ([]byte, error)

// FromAPI builds a Source that lists nodes and pods through get.
func FromAPI(get Get) Source {
	return func(ctx context.Context) (Map, error) {
		var nodes corev1.NodeList
		var pods corev1.PodList
		for _, l := range []struct {
			path string
			into any
		}{{"/api/v1/nodes", &nodes}, {"/api/v1/pods", &pods}} {
			body, err := get(ctx, l.path)
			if err != nil {
				return Map{}, err
			}
			if err := json.Unmarshal(body, l.into); err != nil {
				return Map{}, fmt.Errorf("%s: %w", l.path, err)
			}
		}
		return Build(nodes.Items, pods.Items), nil
	}
}

// FromHandler builds a Get that serves each path with api in-process (the
// server's own API handler, reached after its authentication): the page
// reads exactly what kubectl would.
func FromHandler(api http.Handler) Get {
	return func(ctx context.Context, path string) ([]byte, error) {
		req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
		req.Header.Set("Accept", "application/json")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %d %s", path, rec.Code, rec.Body.String())
		}
		return rec.Body.Bytes(), nil
	}
}
