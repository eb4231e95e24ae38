//go:build ignore

// This program is not built with kubesim: gen copies it into a scratch
// module that requires k8s.io/api and k8s.io/apimachinery at one Kubernetes
// release (and so that release's k8s.io/kube-openapi), next to the
// definitions that release's openapi-gen generated from its Go types, and
// runs it there. (Releases before kube-openapi 2023-10 take a common.Config
// in builder3; gen rewrites the literal for them.) It prints the definitions as the
// kube-apiserver's builders shape them: v3 (components/schemas, refs wrapped
// in allOf when they have siblings) and v2 (definitions, defaults pruned).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"k8s.io/kube-openapi/pkg/builder"
	"k8s.io/kube-openapi/pkg/builder3"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/handler"
	"k8s.io/kube-openapi/pkg/validation/spec"

	generated "oagen/generated"
)

// friendlyName is the apiserver's definition name: the Go package path's
// domain reversed, then the path and type name joined by dots
// (k8s.io/api/core/v1.Pod -> io.k8s.api.core.v1.Pod).
func friendlyName(name string) string {
	parts := strings.Split(name, "/")
	if len(parts) > 0 && strings.Contains(parts[0], ".") {
		dom := strings.Split(parts[0], ".")
		for i, j := 0, len(dom)-1; i < j; i, j = i+1, j-1 {
			dom[i], dom[j] = dom[j], dom[i]
		}
		parts[0] = strings.Join(dom, ".")
	}
	return strings.Join(parts, ".")
}

func namer(name string) (string, spec.Extensions) { return friendlyName(name), nil }

func main() {
	defs := generated.GetOpenAPIDefinitions(func(string) spec.Ref { return spec.Ref{} })
	// Every definition whose dependencies are all generated (some
	// releases' meta/v1 InternalEvent refers to runtime.Object, which has
	// none; kube-apiserver never reaches it from a route).
	var check func(string, map[string]bool) bool
	check = func(n string, seen map[string]bool) bool {
		if seen[n] {
			return true
		}
		seen[n] = true
		d, ok := defs[n]
		if !ok {
			return false
		}
		for _, dep := range d.Dependencies {
			if !check(dep, seen) {
				return false
			}
		}
		return true
	}
	var names []string
	for n := range defs {
		if check(n, map[string]bool{}) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	v3, err := builder3.BuildOpenAPIDefinitionsForResources(&common.OpenAPIV3Config{
		Info: &spec.Info{}, GetDefinitions: generated.GetOpenAPIDefinitions, GetDefinitionName: namer,
	}, names...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	v2, err := builder.BuildOpenAPIDefinitionsForResources(&common.Config{
		Info: &spec.Info{}, GetDefinitions: generated.GetOpenAPIDefinitions, GetDefinitionName: namer,
	}, names...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := map[string]any{"v3": v3, "v2": handler.PruneDefaults(v2.Definitions)}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
