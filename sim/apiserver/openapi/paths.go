package openapi

import (
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The operations kube-apiserver's installer registers for a resource, as
// the OpenAPI builders render them. Parameters of the Options types take
// their descriptions from that release's definitions.

const metaV1 = "io.k8s.apimachinery.pkg.apis.meta.v1."

// param is a non-body parameter.
type param struct {
	name, in, desc, typ string
	required            bool
}

// operation is one method of a path.
type operation struct {
	method, id, desc, action string
	params                   []param
	body                     string   // request body definition name
	bodyRequired             bool     // whether the body is required
	consumes                 []string // request body media types
	responses                []response
	produces                 []string
	gvk                      schema.GroupVersionKind
	tag                      string
}

type response struct {
	code int
	desc string
	def  string // definition name; "" for none
}

// pathItem is a path with its operations.
type pathItem struct {
	path   string
	params []param // path-level (common to every operation)
	ops    []operation
}

var (
	produceObject = []string{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}
	produceList   = []string{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf",
		"application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"}
	produceWatch = []string{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf",
		"application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"}
	consumeAny   = []string{"*/*"}
	consumePatch = []string{"application/json-patch+json", "application/merge-patch+json",
		"application/strategic-merge-patch+json", "application/apply-patch+yaml"}
)

// Query parameters by Options type, in Go field order (the builders sort them by name).
var (
	listParams     = []string{"labelSelector", "fieldSelector", "watch", "allowWatchBookmarks", "resourceVersion", "resourceVersionMatch", "timeoutSeconds", "limit", "continue", "sendInitialEvents"}
	createParams   = []string{"dryRun", "fieldManager", "fieldValidation"}
	patchParams    = []string{"dryRun", "force", "fieldManager", "fieldValidation"}
	deleteParams   = []string{"gracePeriodSeconds", "orphanDependents", "propagationPolicy", "dryRun", "ignoreStoreReadErrorWithClusterBreakingPotential"}
	deleteColLists = []string{"labelSelector", "fieldSelector", "resourceVersion", "resourceVersionMatch", "timeoutSeconds", "limit", "continue", "sendInitialEvents"}
)

// optionParams returns the query parameters named in names that the
// release's Options definition has.
func optionParams(schemas map[string]any, def string, names []string) []param {
	s, _ := schemas[metaV1+def].(map[string]any)
	props, _ := s["properties"].(map[string]any)
	var out []param
	for _, n := range names {
		p, ok := props[n].(map[string]any)
		if !ok {
			continue
		}
		typ, _ := p["type"].(string)
		if typ == "array" || typ == "" {
			typ = "string"
		}
		desc, _ := p["description"].(string)
		out = append(out, param{name: n, in: "query", desc: desc, typ: typ})
	}
	return out
}

// opID is operationId's group-version part: "CoreV1", "AppsV1", "SchedulingV1".
func opID(gv schema.GroupVersion) string {
	g := gv.Group
	if g == "" {
		g = "core"
	}
	g = strings.SplitN(g, ".", 2)[0]
	var b strings.Builder
	for _, part := range strings.Split(g, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String() + strings.ToUpper(gv.Version[:1]) + gv.Version[1:]
}

// tag is the operations' tag: "core_v1", "apps_v1", "scheduling_v1".
func tag(gv schema.GroupVersion) string {
	g := gv.Group
	if g == "" {
		g = "core"
	}
	g = strings.ReplaceAll(strings.SplitN(g, ".", 2)[0], "-", "_")
	return g + "_" + gv.Version
}

func has(verbs []string, v string) bool {
	for _, x := range verbs {
		if x == v {
			return true
		}
	}
	return false
}

// gvPaths returns the paths of one group-version's resources; def maps a
// kind to its definition name.
func gvPaths(gv schema.GroupVersion, resources []Resource, schemas map[string]any, def func(schema.GroupVersionKind) string) []pathItem {
	root := "/apis/" + gv.Group + "/" + gv.Version
	if gv.Group == "" {
		root = "/api/" + gv.Version
	}
	id := opID(gv)
	pretty := param{name: "pretty", in: "query", desc: "If 'true', then the output is pretty printed.", typ: "string"}
	nsParam := param{name: "namespace", in: "path", desc: "object name and auth scope, such as for teams and projects", typ: "string", required: true}
	list := optionParams(schemas, "ListOptions", listParams)
	create := optionParams(schemas, "CreateOptions", createParams)
	update := optionParams(schemas, "UpdateOptions", createParams)
	patch := optionParams(schemas, "PatchOptions", patchParams)
	del := optionParams(schemas, "DeleteOptions", deleteParams)
	delCol := cat(optionParams(schemas, "DeleteOptions", deleteParams), optionParams(schemas, "ListOptions", deleteColLists))
	watchDesc := "deprecated: use the 'watch' parameter with a list operation instead"

	items := []pathItem{{path: root + "/", ops: []operation{{
		method: "get", id: "get" + id + "APIResources", desc: "get available resources",
		responses: []response{{200, "OK", metaV1 + "APIResourceList"}}, produces: []string{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"},
	}}}}
	for _, r := range resources {
		if r.GVR.GroupVersion() != gv {
			continue
		}
		gvk := r.GVR.GroupVersion().WithKind(r.Kind)
		kindDef, listDef := def(gvk), ""
		if r.ListKind != "" {
			listDef = def(gv.WithKind(r.ListKind))
		}
		scope, base, watchBase, nsParams := "", root+"/"+r.GVR.Resource, root+"/watch/"+r.GVR.Resource, []param(nil)
		if r.Namespaced {
			scope = "Namespaced"
			base = root + "/namespaces/{namespace}/" + r.GVR.Resource
			watchBase = root + "/watch/namespaces/{namespace}/" + r.GVR.Resource
			nsParams = []param{nsParam}
		}
		nameParam := param{name: "name", in: "path", desc: "name of the " + r.Kind, typ: "string", required: true}
		coll := pathItem{path: base}
		if has(r.Verbs, "deletecollection") {
			coll.ops = append(coll.ops, operation{method: "delete", id: "deletecollection" + id + scope + r.Kind, desc: "delete collection of " + r.Kind,
				action: "deletecollection", params: cat(nsParams, []param{pretty}, delCol), body: metaV1 + "DeleteOptions", consumes: consumeAny,
				responses: []response{{200, "OK", metaV1 + "Status"}}, produces: produceObject, gvk: gvk})
		}
		if has(r.Verbs, "list") && listDef != "" {
			coll.ops = append(coll.ops, operation{method: "get", id: "list" + id + scope + r.Kind, desc: "list or watch objects of kind " + r.Kind,
				action: "list", params: cat(nsParams, []param{pretty}, list), consumes: consumeAny,
				responses: []response{{200, "OK", listDef}}, produces: produceList, gvk: gvk})
		}
		if has(r.Verbs, "create") {
			coll.ops = append(coll.ops, operation{method: "post", id: "create" + id + scope + r.Kind, desc: "create " + article(r.Kind) + " " + r.Kind,
				action: "post", params: cat(nsParams, []param{pretty}, create), body: kindDef, bodyRequired: true, consumes: consumeAny,
				responses: []response{{200, "OK", kindDef}, {201, "Created", kindDef}, {202, "Accepted", kindDef}}, produces: produceObject, gvk: gvk})
		}
		items = append(items, coll)
		item := pathItem{path: base + "/{name}"}
		itemParams := append([]param{nameParam}, nsParams...)
		if has(r.Verbs, "delete") {
			item.ops = append(item.ops, operation{method: "delete", id: "delete" + id + scope + r.Kind, desc: "delete " + article(r.Kind) + " " + r.Kind,
				action: "delete", params: cat(itemParams, []param{pretty}, del), body: metaV1 + "DeleteOptions", consumes: consumeAny,
				responses: []response{{200, "OK", metaV1 + "Status"}, {202, "Accepted", metaV1 + "Status"}}, produces: produceObject, gvk: gvk})
		}
		if has(r.Verbs, "get") {
			item.ops = append(item.ops, operation{method: "get", id: "read" + id + scope + r.Kind, desc: "read the specified " + r.Kind,
				action: "get", params: cat(itemParams, []param{pretty}), consumes: consumeAny,
				responses: []response{{200, "OK", kindDef}}, produces: produceObject, gvk: gvk})
		}
		if has(r.Verbs, "patch") {
			item.ops = append(item.ops, operation{method: "patch", id: "patch" + id + scope + r.Kind, desc: "partially update the specified " + r.Kind,
				action: "patch", params: cat(itemParams, []param{pretty}, patch), body: metaV1 + "Patch", bodyRequired: true, consumes: consumePatch,
				responses: []response{{200, "OK", kindDef}, {201, "Created", kindDef}}, produces: produceObject, gvk: gvk})
		}
		if has(r.Verbs, "update") {
			item.ops = append(item.ops, operation{method: "put", id: "replace" + id + scope + r.Kind, desc: "replace the specified " + r.Kind,
				action: "put", params: cat(itemParams, []param{pretty}, update), body: kindDef, bodyRequired: true, consumes: consumeAny,
				responses: []response{{200, "OK", kindDef}, {201, "Created", kindDef}}, produces: produceObject, gvk: gvk})
		}
		if len(item.ops) > 0 {
			items = append(items, item)
		}
		if has(r.Verbs, "watch") {
			watchEvent := metaV1 + "WatchEvent"
			items = append(items,
				pathItem{path: watchBase, ops: []operation{{method: "get", id: "watch" + id + scope + r.Kind + "List",
					desc: "watch individual changes to a list of " + r.Kind + ". " + watchDesc + ".", action: "watchlist",
					params: cat(nsParams, []param{pretty}, list), consumes: consumeAny,
					responses: []response{{200, "OK", watchEvent}}, produces: produceWatch, gvk: gvk}}},
				pathItem{path: watchBase + "/{name}", ops: []operation{{method: "get", id: "watch" + id + scope + r.Kind,
					desc: "watch changes to an object of kind " + r.Kind + ". " + watchDesc + ", filtered to a single item with the 'fieldSelector' parameter.", action: "watch",
					params: cat([]param{nameParam}, nsParams, []param{pretty}, list), consumes: consumeAny,
					responses: []response{{200, "OK", watchEvent}}, produces: produceWatch, gvk: gvk}}})
		}
		if r.Namespaced && has(r.Verbs, "list") && listDef != "" {
			items = append(items, pathItem{path: root + "/" + r.GVR.Resource, ops: []operation{{method: "get", id: "list" + id + r.Kind + "ForAllNamespaces",
				desc: "list or watch objects of kind " + r.Kind, action: "list", params: cat([]param{pretty}, list), consumes: consumeAny,
				responses: []response{{200, "OK", listDef}}, produces: produceList, gvk: gvk}}})
			if has(r.Verbs, "watch") {
				items = append(items, pathItem{path: root + "/watch/" + r.GVR.Resource, ops: []operation{{method: "get", id: "watch" + id + r.Kind + "ListForAllNamespaces",
					desc: "watch individual changes to a list of " + r.Kind + ". " + watchDesc + ".", action: "watchlist",
					params: cat([]param{pretty}, list), consumes: consumeAny,
					responses: []response{{200, "OK", metaV1 + "WatchEvent"}}, produces: produceWatch, gvk: gvk}}})
			}
		}
		for _, sub := range r.Subs {
			if p, ok := subresourcePath(id, scope, base, r, sub, itemParams, pretty, create, update, patch, def); ok {
				items = append(items, p)
			}
		}
	}
	for i := range items {
		for j := range items[i].ops {
			items[i].ops[j].tag = tag(gv)
		}
		hoistCommon(&items[i])
	}
	sort.Slice(items, func(i, j int) bool { return items[i].path < items[j].path })
	return items
}

// subresourcePath returns the path of a subresource.
func subresourcePath(id, scope, base string, r Resource, sub Subresource, itemParams []param, pretty param, create, update, patch []param, def func(schema.GroupVersionKind) string) (pathItem, bool) {
	p := pathItem{path: base + "/{name}/" + sub.Name}
	subDef := def(sub.Kind)
	title := strings.ToUpper(sub.Name[:1]) + sub.Name[1:]
	pathParams := append([]param{{name: "name", in: "path", desc: "name of the " + sub.Kind.Kind, typ: "string", required: true}}, itemParams[1:]...)
	switch sub.Name {
	case "exec", "attach", "portforward", "proxy":
		// Connect operations take options as query parameters that kubesim's
		// clients never read from the document; list the methods only.
		pathParams[0].desc = "name of the " + sub.Kind.Kind
		for _, m := range []string{"get", "post", "put", "patch", "delete"} {
			verb := map[string]string{"get": "get", "post": "create", "put": "update", "patch": "patch", "delete": "delete"}[m]
			if !has(sub.Verbs, verb) {
				continue
			}
			title := strings.ToUpper(m[:1]) + m[1:]
			p.ops = append(p.ops, operation{method: m, id: "connect" + id + title + scope + r.Kind + subTitle(sub.Name),
				desc: "connect " + strings.ToUpper(m) + " requests to " + sub.Name + " of " + r.Kind, action: "connect",
				params: pathParams, consumes: consumeAny, responses: []response{{200, "OK", ""}}, produces: []string{"*/*"}, gvk: sub.Kind})
		}
		return p, len(p.ops) > 0
	case "log":
		p.ops = append(p.ops, operation{method: "get", id: "read" + id + scope + r.Kind + "Log", desc: "read log of the specified " + r.Kind,
			action: "get", params: cat(pathParams, []param{pretty}), consumes: consumeAny,
			responses: []response{{200, "OK", ""}}, produces: []string{"text/plain", "application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}, gvk: r.GVR.GroupVersion().WithKind(r.Kind)})
		return p, true
	}
	if has(sub.Verbs, "create") {
		p.ops = append(p.ops, operation{method: "post", id: "create" + id + scope + r.Kind + title, desc: "create " + sub.Name + " of " + article(r.Kind) + " " + r.Kind,
			action: "post", params: cat(pathParams, []param{pretty}, create), body: subDef, bodyRequired: true, consumes: consumeAny,
			responses: []response{{200, "OK", subDef}, {201, "Created", subDef}, {202, "Accepted", subDef}}, produces: produceObject, gvk: sub.Kind})
	}
	if has(sub.Verbs, "get") {
		p.ops = append(p.ops, operation{method: "get", id: "read" + id + scope + r.Kind + title, desc: "read " + sub.Name + " of the specified " + r.Kind,
			action: "get", params: cat(pathParams, []param{pretty}), consumes: consumeAny,
			responses: []response{{200, "OK", subDef}}, produces: produceObject, gvk: sub.Kind})
	}
	if has(sub.Verbs, "patch") {
		p.ops = append(p.ops, operation{method: "patch", id: "patch" + id + scope + r.Kind + title, desc: "partially update " + sub.Name + " of the specified " + r.Kind,
			action: "patch", params: cat(pathParams, []param{pretty}, patch), body: metaV1 + "Patch", bodyRequired: true, consumes: consumePatch,
			responses: []response{{200, "OK", subDef}, {201, "Created", subDef}}, produces: produceObject, gvk: sub.Kind})
	}
	if has(sub.Verbs, "update") {
		p.ops = append(p.ops, operation{method: "put", id: "replace" + id + scope + r.Kind + title, desc: "replace " + sub.Name + " of the specified " + r.Kind,
			action: "put", params: cat(pathParams, []param{pretty}, update), body: subDef, bodyRequired: true, consumes: consumeAny,
			responses: []response{{200, "OK", subDef}, {201, "Created", subDef}}, produces: produceObject, gvk: sub.Kind})
	}
	return p, len(p.ops) > 0
}

// subTitle is a connect subresource's operationId suffix: "Exec", "Portforward", "Proxy".
func subTitle(name string) string { return strings.ToUpper(name[:1]) + name[1:] }

// article is "a" or "an" before a kind, as the installer's descriptions read.
func article(kind string) string {
	if strings.ContainsRune("AEIOU", rune(kind[0])) {
		return "an"
	}
	return "a"
}

// hoistCommon moves the parameters every operation of a path has to the
// path, and sorts both lists by name then location, as the builders do.
func hoistCommon(p *pathItem) {
	if len(p.ops) == 0 {
		return
	}
	count := map[[2]string]int{}
	for _, op := range p.ops {
		for _, prm := range op.params {
			count[[2]string{prm.name, prm.in}]++
		}
	}
	common := map[[2]string]bool{}
	for _, prm := range p.ops[0].params {
		k := [2]string{prm.name, prm.in}
		if count[k] == len(p.ops) && !common[k] {
			common[k] = true
			p.params = append(p.params, prm)
		}
	}
	for i := range p.ops {
		var kept []param
		for _, prm := range p.ops[i].params {
			if !common[[2]string{prm.name, prm.in}] {
				kept = append(kept, prm)
			}
		}
		p.ops[i].params = kept
		sortParams(p.ops[i].params)
	}
	sortParams(p.params)
}

func sortParams(ps []param) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].name != ps[j].name {
			return ps[i].name < ps[j].name
		}
		return ps[i].in < ps[j].in
	})
}

// cat concatenates parameter lists into a new slice.
func cat(lists ...[]param) []param {
	var out []param
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// discoveryPaths are the documents kube-apiserver lists beside the
// group-versions: "api" (/api/), "apis" (/apis/), "apis/<group>" for each
// group and "version" (/version/), keyed as the /openapi/v3 index keys them.
func discoveryPaths(gvs []schema.GroupVersion) map[string]pathItem {
	produce := []string{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}
	get := func(path, id, desc, def, tag string, produces []string) pathItem {
		return pathItem{path: path, ops: []operation{{method: "get", id: id, desc: desc, consumes: produces,
			responses: []response{{200, "OK", def}}, produces: produces, tag: tag}}}
	}
	out := map[string]pathItem{
		"api":     get("/api/", "getCoreAPIVersions", "get available API versions", metaV1+"APIVersions", "core", produce),
		"apis":    get("/apis/", "getAPIVersions", "get available API versions", metaV1+"APIGroupList", "apis", produce),
		"version": get("/version/", "getCodeVersion", "get the code version", "io.k8s.apimachinery.pkg.version.Info", "version", []string{"application/json"}),
	}
	for _, gv := range gvs {
		if gv.Group == "" {
			continue
		}
		id := strings.TrimSuffix(opID(gv), strings.ToUpper(gv.Version[:1])+gv.Version[1:])
		tag := strings.ReplaceAll(strings.SplitN(gv.Group, ".", 2)[0], "-", "_")
		out["apis/"+gv.Group] = get("/apis/"+gv.Group+"/", "get"+id+"APIGroup", "get information of a group", metaV1+"APIGroup", tag, produce)
	}
	return out
}
