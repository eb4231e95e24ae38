package openapi

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

//go:generate go run ./internal/gen

//go:embed data
var dataFS embed.FS

// Data is one release's definitions as gen writes them.
type Data struct {
	// Version is the release the definitions were generated from ("v1.27.1").
	Version string `json:"version"`
	// Schemas are the v3 component schemas by definition name
	// (io.k8s.api.core.v1.Pod), without x-kubernetes-group-version-kind.
	Schemas map[string]any `json:"schemas"`
	// V2 holds the v2 definitions that V2Schema does not derive from Schemas.
	V2 map[string]any `json:"v2"`
}

// DataFile is the name of a release's file under data/: one per minor.
func DataFile(version string) string {
	return "v1." + strconv.Itoa(minor(version)) + ".json.gz"
}

// minor returns the minor of "v1.27.1", "1.33", "v1.33.0-rc.1"; 0 if none.
func minor(version string) int {
	v := strings.TrimPrefix(version, "v")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 || parts[0] != "1" {
		return 0
	}
	digits := parts[1]
	for i, c := range digits {
		if c < '0' || c > '9' {
			digits = digits[:i]
			break
		}
	}
	n, _ := strconv.Atoi(digits)
	return n
}

// minors lists the minors with data, ascending.
func minors() []int {
	entries, _ := dataFS.ReadDir("data")
	var out []int
	for _, e := range entries {
		if m := minor(strings.TrimSuffix(e.Name(), ".json.gz")); m > 0 {
			out = append(out, m)
		}
	}
	return out
}

// nearest returns the data file for version: its minor's, else the nearest
// minor's (ties go to the older release).
func nearest(version string) string {
	want := minor(version)
	best, bestDist := 0, -1
	for _, m := range minors() {
		d := m - want
		if d < 0 {
			d = -d
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = m, d
		}
	}
	return "v1." + strconv.Itoa(best) + ".json.gz"
}

// loadData reads and decodes a data file.
func loadData(name string) (*Data, error) {
	raw, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", name, err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", name, err)
	}
	var d Data
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", name, err)
	}
	return &d, nil
}
