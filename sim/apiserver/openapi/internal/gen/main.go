package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"kubesim/sim/apiserver/openapi"
)

// releases are the Kubernetes versions kubesim clusters report; k8s.io/api
// v0.X.Y is the Go side of Kubernetes v1.X.Y.
// xTools is the golang.org/x/tools the generators are built with.
const xTools = "v0.42.0"

var releases = []string{"v1.27.1", "v1.28.0", "v1.29.0", "v1.30.0", "v1.31.0", "v1.32.0", "v1.33.0"}

// packages are the Go packages whose types kubesim serves, and those their
// definitions refer to (the apimachinery packages kube-apiserver also feeds
// to openapi-gen).
var packages = []string{
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1",
	"k8s.io/api/apps/v1",
	"k8s.io/api/authentication/v1",
	"k8s.io/api/authorization/v1",
	"k8s.io/api/autoscaling/v1",
	"k8s.io/api/autoscaling/v2",
	"k8s.io/api/batch/v1",
	"k8s.io/api/certificates/v1",
	"k8s.io/api/coordination/v1",
	"k8s.io/api/core/v1",
	"k8s.io/api/discovery/v1",
	"k8s.io/api/networking/v1",
	"k8s.io/api/policy/v1",
	"k8s.io/api/rbac/v1",
	"k8s.io/api/scheduling/v1",
	"k8s.io/api/storage/v1",
	"k8s.io/apimachinery/pkg/api/resource",
	"k8s.io/apimachinery/pkg/apis/meta/v1",
	"k8s.io/apimachinery/pkg/runtime",
	"k8s.io/apimachinery/pkg/util/intstr",
	"k8s.io/apimachinery/pkg/version",
}

func main() {
	only := flag.String("only", "", "regenerate this release only (e.g. v1.27.1)")
	out := flag.String("out", "data", "output directory")
	flag.Parse()
	log.SetFlags(0)
	emit, err := os.ReadFile(filepath.Join("internal", "gen", "emit", "main.go"))
	if err != nil {
		log.Fatal(err)
	}
	for _, rel := range releases {
		if *only != "" && rel != *only {
			continue
		}
		data, err := generate(rel, emit)
		if err != nil {
			log.Fatalf("%s: %v", rel, err)
		}
		name := filepath.Join(*out, openapi.DataFile(rel))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("%s: %d bytes", name, len(data))
	}
}

func generate(rel string, emit []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "kubesim-openapi-gen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	api := "v0." + strings.TrimPrefix(rel, "v1.")
	// x/tools is raised so that old generators build with this Go; it only
	// loads packages and formats the generated file.
	gomod := fmt.Sprintf("module oagen\n\ngo 1.26.0\n\nrequire (\n\tk8s.io/api %s\n\tk8s.io/apimachinery %s\n\tk8s.io/apiextensions-apiserver %s\n\tgolang.org/x/tools %s\n)\n", api, api, api, xTools)
	var imports strings.Builder
	imports.WriteString("//go:build tools\n\npackage tools\n\nimport (\n")
	for _, p := range append(packages, "k8s.io/kube-openapi/cmd/openapi-gen") {
		fmt.Fprintf(&imports, "\t_ %q\n", p)
	}
	imports.WriteString(")\n")
	emitSrc := bytes.Replace(emit, []byte("//go:build ignore\n"), nil, 1)
	for name, body := range map[string][]byte{
		"go.mod": []byte(gomod), "tools/tools.go": []byte(imports.String()), "header.txt": nil,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			return nil, err
		}
	}
	run(dir, "go", "mod", "tidy")
	openapiDir := strings.TrimSpace(run(dir, "go", "list", "-m", "-f", "{{.Dir}}", "k8s.io/kube-openapi"))
	genArgs, err := os.ReadFile(filepath.Join(openapiDir, "cmd", "openapi-gen", "args", "args.go"))
	if err != nil {
		return nil, err
	}
	if bytes.Contains(genArgs, []byte(`"output-dir"`)) {
		// gengo/v2 generators (kube-openapi 2024 on): packages as arguments.
		args := []string{"run", "k8s.io/kube-openapi/cmd/openapi-gen", "--output-dir", "generated", "--output-pkg", "oagen/generated",
			"--output-file", "zz_generated.openapi.go", "--go-header-file", "header.txt", "--report-filename", "/dev/null"}
		run(dir, "go", append(args, packages...)...)
	} else {
		// gengo v1: --input-dirs, output under <output-base>/<output-package>.
		run(dir, "go", "run", "k8s.io/kube-openapi/cmd/openapi-gen", "--input-dirs", strings.Join(packages, ","),
			"--output-package", "oagen/generated", "--output-base", filepath.Join(dir, "out"),
			"--output-file-base", "zz_generated.openapi", "--go-header-file", "header.txt", "--report-filename", "/dev/null")
		if err := os.Rename(filepath.Join(dir, "out", "oagen", "generated"), filepath.Join(dir, "generated")); err != nil {
			return nil, err
		}
	}
	builder3, err := os.ReadFile(filepath.Join(openapiDir, "pkg", "builder3", "openapi.go"))
	if err != nil {
		return nil, err
	}
	if bytes.Contains(builder3, []byte("func BuildOpenAPIDefinitionsForResources(config *common.Config,")) {
		emitSrc = bytes.ReplaceAll(emitSrc, []byte("&common.OpenAPIV3Config{"), []byte("&common.Config{"))
	}
	if err := os.MkdirAll(filepath.Join(dir, "emit"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "emit", "main.go"), emitSrc, 0o644); err != nil {
		return nil, err
	}
	run(dir, "go", "mod", "tidy")
	raw := run(dir, "go", "run", "./emit")
	var built struct {
		V3 map[string]any `json:"v3"`
		V2 map[string]any `json:"v2"`
	}
	if err := json.Unmarshal([]byte(raw), &built); err != nil {
		return nil, err
	}
	file := openapi.Data{Version: rel, Schemas: built.V3, V2: map[string]any{}}
	var names []string
	for name := range built.V2 {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v3, ok := built.V3[name]
		if !ok || !reflect.DeepEqual(openapi.V2Schema(v3), built.V2[name]) {
			file.V2[name] = built.V2[name]
		}
	}
	body, err := json.Marshal(&file)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// run runs a go command in dir (the kubesim module when dir is "") and
// returns its standard output; it exits on failure.
func run(dir string, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	// gotypesalias=0: the releases' generators predate go/types' Alias
	// nodes (core/v1 has aliases such as IPFamilyPolicyType).
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GODEBUG=gotypesalias=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}
