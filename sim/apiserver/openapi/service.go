package openapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/gnostic-models/compiler"
	openapiv2 "github.com/google/gnostic-models/openapiv2"
	openapiv3 "github.com/google/gnostic-models/openapiv3"
	"github.com/munnerz/goautoneg"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Config configures a Service.
type Config struct {
	// Version is the Kubernetes version the cluster reports ("v1.27.1"):
	// it picks the release's definitions (the nearest release kubesim has
	// when it has none for that minor) and is the documents' info.version.
	Version string
	// Resources are the served resources, in discovery order.
	Resources []Resource
	// Scheme registers the served kinds; definitions get their
	// x-kubernetes-group-version-kind from it.
	Scheme *runtime.Scheme
	// Now is the cluster's clock (Last-Modified, Expires).
	Now func() time.Time
	// Custom, if set, lists the served custom resources (custom.go): the
	// documents are rebuilt with them whenever their revision changes.
	Custom Customs
}

// Service serves /openapi/v2 and /openapi/v3 for one cluster. Documents are
// built on first use, once per process for a given version and resource
// set, and shared by every cluster that has them.
type Service struct {
	cfg      Config
	key      string
	modified sync.Once
	modTime  time.Time
	custom   customCache
}

// New returns a Service. It builds nothing.
func New(cfg Config) *Service {
	var key strings.Builder
	fmt.Fprintf(&key, "%s|%p", cfg.Version, cfg.Scheme)
	for _, r := range cfg.Resources {
		fmt.Fprintf(&key, "|%s %s %s %v %v", r.GVR, r.Kind, r.ListKind, r.Namespaced, r.Verbs)
		for _, s := range r.Subs {
			fmt.Fprintf(&key, " %s %s %v", s.Name, s.Kind, s.Verbs)
		}
	}
	return &Service{cfg: cfg, key: key.String()}
}

// document is one served document in its encodings.
type document struct {
	json []byte
	etag string
	v3   bool

	pbOnce sync.Once
	pb     []byte
	pbErr  error
	gzOnce sync.Once
	gz     []byte
}

func newDocument(v any, v3 bool) (*document, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &document{json: body, etag: fmt.Sprintf("%X", sha512.Sum512(body)), v3: v3}, nil
}

// protobuf returns the gnostic protobuf form, converted on first use.
func (d *document) protobuf() ([]byte, error) {
	d.pbOnce.Do(func() {
		// As gnostic's ParseDocument, from a node tree built directly.
		root, err := yamlNode(d.json)
		if err != nil {
			d.pbErr = err
			return
		}
		ctx := compiler.NewContextWithExtensions("$root", root, nil, nil)
		var doc proto.Message
		if d.v3 {
			doc, err = openapiv3.NewDocument(root, ctx)
		} else {
			doc, err = openapiv2.NewDocument(root, ctx)
		}
		if err != nil {
			d.pbErr = err
			return
		}
		d.pb, d.pbErr = proto.Marshal(doc)
	})
	return d.pb, d.pbErr
}

// documents are a cluster's built documents.
type documents struct {
	index *document
	gv    map[string]*document // by index key: "api/v1", "apis/apps/v1", "api", "apis/apps", "version"
	v2    *document
}

var (
	builtMu sync.Mutex
	built   = map[string]*builtEntry{}
	dataMu  sync.Mutex
	loaded  = map[string]*Data{}
)

type builtEntry struct {
	once sync.Once
	docs *documents
	err  error
}

func (s *Service) documents() (*documents, error) {
	builtMu.Lock()
	e := built[s.key]
	if e == nil {
		e = &builtEntry{}
		built[s.key] = e
	}
	builtMu.Unlock()
	e.once.Do(func() { e.docs, e.err = build(s.cfg) })
	return e.docs, e.err
}

// release returns the definitions for version, decoded once per process.
func release(version string) (*Data, error) {
	name := nearest(version)
	dataMu.Lock()
	defer dataMu.Unlock()
	if d := loaded[name]; d != nil {
		return d, nil
	}
	d, err := loadData(name)
	if err != nil {
		return nil, err
	}
	loaded[name] = d
	return d, nil
}

func groupVersions(resources []Resource) []schema.GroupVersion {
	seen := map[schema.GroupVersion]bool{}
	var gvs []schema.GroupVersion
	for _, r := range resources {
		if gv := r.GVR.GroupVersion(); !seen[gv] {
			seen[gv] = true
			gvs = append(gvs, gv)
		}
	}
	sort.SliceStable(gvs, func(i, j int) bool { return gvs[i].Group < gvs[j].Group })
	return gvs
}

var securityScheme = map[string]any{"BearerToken": map[string]any{
	"description": "Bearer Token authentication", "in": "header", "name": "authorization", "type": "apiKey"}}

func build(cfg Config) (*documents, error) {
	data, err := release(cfg.Version)
	if err != nil {
		return nil, err
	}
	n := newNamer(cfg.Scheme)
	set := newSchemaSet(data, n)
	def := func(gvk schema.GroupVersionKind) string { return n.byGVK[gvk] }
	info := map[string]any{"title": "Kubernetes", "version": cfg.Version}
	docs := &documents{gv: map[string]*document{}}
	v2Paths, v2Defs := map[string]any{}, map[string]any{}
	index := map[string]any{}
	// add makes the v3 document key from its path items (and adds them and
	// their definitions to the v2 document).
	add := func(key string, items []pathItem) error {
		paths := map[string]any{}
		for _, p := range items {
			paths[p.path] = v3Path(p)
			v2Paths[p.path] = v2Path(p)
		}
		var roots []string
		walkRefs(paths, func(ref string) { roots = append(roots, strings.TrimPrefix(ref, v3RefPrefix)) })
		schemas := map[string]any{}
		for _, name := range set.closure(roots) {
			var err error
			if schemas[name], err = set.encodeV3(name); err != nil {
				return err
			}
			if v2Defs[name], err = set.encodeV2(name); err != nil {
				return err
			}
		}
		doc, err := newDocument(map[string]any{
			"openapi": "3.0.0", "info": info, "paths": paths,
			"components": map[string]any{"schemas": schemas, "securitySchemes": securityScheme},
			"security":   []any{map[string]any{"BearerToken": []any{}}},
		}, true)
		if err != nil {
			return err
		}
		docs.gv[key] = doc
		index[key] = map[string]any{"serverRelativeURL": serverRelativeURL(key, doc.etag)}
		return nil
	}
	gvs := groupVersions(cfg.Resources)
	for _, gv := range gvs {
		if err := add(gvKey(gv.Group, gv.Version), gvPaths(gv, cfg.Resources, data.Schemas, def)); err != nil {
			return nil, err
		}
	}
	for key, p := range discoveryPaths(gvs) {
		hoistCommon(&p)
		if err := add(key, []pathItem{p}); err != nil {
			return nil, err
		}
	}
	if docs.index, err = newDocument(map[string]any{"paths": index}, false); err != nil {
		return nil, err
	}
	docs.v2, err = newDocument(map[string]any{
		"swagger": "2.0", "info": info, "paths": v2Paths, "definitions": v2Defs,
		"securityDefinitions": securityScheme, "security": []any{map[string]any{"BearerToken": []any{}}},
	}, false)
	if err != nil {
		return nil, err
	}
	return docs, nil
}

func serverRelativeURL(key, etag string) string {
	u := url.URL{Path: "/openapi/v3/" + key, RawQuery: url.Values{"hash": {etag}}.Encode()}
	return u.String()
}

// now is the time documents report as modified: when this cluster first
// served one.
func (s *Service) lastModified() time.Time {
	s.modified.Do(func() {
		if s.cfg.Now != nil {
			s.modTime = s.cfg.Now()
		}
	})
	return s.modTime
}

// ServeHTTP answers /openapi/v2, /openapi/v3 and /openapi/v3/<group-version>.
func (s *Service) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	path := strings.TrimSuffix(req.URL.Path, "/")
	docs, err := s.documents()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if s.serveCustom(w, req, path, docs) {
		return
	}
	s.serveDocs(w, req, path, docs)
}

// serveDocs answers a request from docs.
func (s *Service) serveDocs(w http.ResponseWriter, req *http.Request, path string, docs *documents) {
	switch {
	case path == "/openapi/v2":
		s.serveV2(w, req, docs.v2)
	case path == "/openapi/v3":
		w.Header().Set("Etag", strconv.Quote(docs.index.etag))
		w.Header().Set("Content-Type", "application/json")
		http.ServeContent(w, req, "/openapi/v3", s.lastModified(), bytes.NewReader(docs.index.json))
	case strings.HasPrefix(path, "/openapi/v3/"):
		s.serveGroupVersion(w, req, strings.TrimPrefix(path, "/openapi/v3/"), docs)
	default:
		http.NotFound(w, req)
	}
}

// accepted lists a handler's media types: the subtype clients ask for and
// the Content-Type answered.
type accepted struct{ subType, contentType string }

var (
	v2Types = []accepted{
		{"json", "application/json"},
		{"com.github.proto-openapi.spec.v2@v1.0+protobuf", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"},
		{"com.github.proto-openapi.spec.v2.v1.0+protobuf", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"},
	}
	v3Types = []accepted{
		{"json", "application/json"},
		{"com.github.proto-openapi.spec.v3.v1.0+protobuf", "application/com.github.proto-openapi.spec.v3.v1.0+protobuf"},
		{"com.github.proto-openapi.spec.v3@v1.0+protobuf", "application/com.github.proto-openapi.spec.v3.v1.0+protobuf"},
	}
)

// negotiate returns the first of types the Accept header allows.
func negotiate(req *http.Request, types []accepted) (accepted, bool) {
	header := req.Header.Get("Accept")
	if header == "" {
		header = "*/*"
	}
	for _, clause := range goautoneg.ParseAccept(header) {
		for _, t := range types {
			if (clause.Type == "application" || clause.Type == "*") && (clause.SubType == t.subType || clause.SubType == "*") {
				return t, true
			}
		}
	}
	return accepted{}, false
}

func (s *Service) body(d *document, t accepted) ([]byte, error) {
	if t.subType == "json" {
		return d.json, nil
	}
	return d.protobuf()
}

func (s *Service) serveV2(w http.ResponseWriter, req *http.Request, d *document) {
	w.Header().Add("Vary", "Accept")
	t, ok := negotiate(req, v2Types)
	if !ok {
		w.WriteHeader(http.StatusNotAcceptable)
		return
	}
	body, err := s.body(d, t)
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", t.contentType)
	w.Header().Set("Etag", strconv.Quote(d.etag))
	if acceptsGzip(req) {
		// kube-apiserver wraps the v2 handler in a gzip handler.
		w.Header().Add("Vary", "Accept-Encoding")
		w.Header().Set("Content-Encoding", "gzip")
		if match := req.Header.Get("If-None-Match"); match != "" && match == strconv.Quote(d.etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		zw := gzip.NewWriter(w)
		zw.Write(body)
		zw.Close()
		return
	}
	http.ServeContent(w, req, "/openapi/v2", s.lastModified(), bytes.NewReader(body))
}

func acceptsGzip(req *http.Request) bool {
	for _, enc := range strings.Split(req.Header.Get("Accept-Encoding"), ",") {
		if strings.TrimSpace(strings.SplitN(enc, ";", 2)[0]) == "gzip" {
			return true
		}
	}
	return false
}

func (s *Service) serveGroupVersion(w http.ResponseWriter, req *http.Request, key string, docs *documents) {
	w.Header().Add("Vary", "Accept")
	d := docs.gv[key]
	t, ok := negotiate(req, v3Types)
	if !ok {
		w.WriteHeader(http.StatusNotAcceptable)
		return
	}
	if d == nil {
		http.NotFound(w, req)
		return
	}
	body, err := s.body(d, t)
	if err != nil {
		return
	}
	w.Header().Set("Content-Type", t.contentType)
	w.Header().Set("Etag", strconv.Quote(d.etag))
	if hash := req.URL.Query().Get("hash"); hash != "" {
		if hash != d.etag {
			http.Redirect(w, req, serverRelativeURL(key, d.etag), http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Vary", "Accept")
		w.Header().Set("Cache-Control", "public, immutable")
		now := time.Time{}
		if s.cfg.Now != nil {
			now = s.cfg.Now()
		}
		w.Header().Set("Expires", now.AddDate(1, 0, 0).Format(time.RFC1123))
	}
	http.ServeContent(w, req, "", s.lastModified(), bytes.NewReader(body))
}
