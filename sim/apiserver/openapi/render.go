package openapi

import "strconv"

// v3Path renders a path item as the v3 builder does.
func v3Path(p pathItem) map[string]any {
	out := map[string]any{}
	if len(p.params) > 0 {
		out["parameters"] = v3Params(p.params)
	}
	for _, op := range p.ops {
		o := map[string]any{"description": op.desc, "operationId": op.id, "tags": []any{op.tagName()}}
		if len(op.params) > 0 {
			o["parameters"] = v3Params(op.params)
		}
		if op.body != "" {
			content := map[string]any{}
			for _, ct := range op.consumes {
				content[ct] = map[string]any{"schema": map[string]any{"$ref": v3RefPrefix + op.body}}
			}
			body := map[string]any{"content": content}
			if op.bodyRequired {
				body["required"] = true
			}
			o["requestBody"] = body
		}
		responses := map[string]any{"401": map[string]any{"description": "Unauthorized"}}
		for _, r := range op.responses {
			resp := map[string]any{"description": r.desc}
			content := map[string]any{}
			for _, ct := range op.produces {
				if r.def == "" {
					content[ct] = map[string]any{"schema": map[string]any{"type": "string"}}
				} else {
					content[ct] = map[string]any{"schema": map[string]any{"$ref": v3RefPrefix + r.def}}
				}
			}
			resp["content"] = content
			responses[strconv.Itoa(r.code)] = resp
		}
		o["responses"] = responses
		op.extensions(o)
		out[op.method] = o
	}
	return out
}

func v3Params(ps []param) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		m := map[string]any{"in": p.in, "name": p.name, "schema": map[string]any{"type": p.typ, "uniqueItems": true}}
		if p.desc != "" {
			m["description"] = p.desc
		}
		if p.required {
			m["required"] = true
		}
		out[i] = m
	}
	return out
}

// v2Path renders a path item as the v2 builder does (parameters inline).
func v2Path(p pathItem) map[string]any {
	out := map[string]any{}
	if len(p.params) > 0 {
		out["parameters"] = v2Params(p.params, "", false)
	}
	for _, op := range p.ops {
		o := map[string]any{"description": op.desc, "operationId": op.id, "tags": []any{op.tagName()},
			"consumes": strs(op.consumes), "produces": strs(op.produces), "schemes": []any{"https"}}
		if ps := v2Params(op.params, op.body, op.bodyRequired); len(ps) > 0 {
			o["parameters"] = ps
		}
		responses := map[string]any{"401": map[string]any{"description": "Unauthorized"}}
		for _, r := range op.responses {
			resp := map[string]any{"description": r.desc}
			if r.def == "" {
				resp["schema"] = map[string]any{"type": "string"}
			} else {
				resp["schema"] = map[string]any{"$ref": v2RefPrefix + r.def}
			}
			responses[strconv.Itoa(r.code)] = resp
		}
		o["responses"] = responses
		op.extensions(o)
		out[op.method] = o
	}
	return out
}

func v2Params(ps []param, body string, bodyRequired bool) []any {
	var out []any
	if body != "" {
		m := map[string]any{"in": "body", "name": "body", "schema": map[string]any{"$ref": v2RefPrefix + body}}
		if bodyRequired {
			m["required"] = true
		}
		out = append(out, m)
	}
	for _, p := range ps {
		m := map[string]any{"in": p.in, "name": p.name, "type": p.typ, "uniqueItems": true}
		if p.desc != "" {
			m["description"] = p.desc
		}
		if p.required {
			m["required"] = true
		}
		out = append(out, m)
	}
	sortAny(out)
	return out
}

// sortAny orders rendered v2 parameters by name then location (body first
// by name "body").
func sortAny(ps []any) {
	key := func(v any) string {
		m := v.(map[string]any)
		return m["name"].(string) + "\x00" + m["in"].(string)
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && key(ps[j]) < key(ps[j-1]); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func strs(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

func (op operation) tagName() string { return op.tag }

// extensions adds x-kubernetes-action and x-kubernetes-group-version-kind.
func (op operation) extensions(o map[string]any) {
	if op.action != "" {
		o["x-kubernetes-action"] = op.action
	}
	if op.gvk.Kind != "" {
		o["x-kubernetes-group-version-kind"] = map[string]any{"group": op.gvk.Group, "version": op.gvk.Version, "kind": op.gvk.Kind}
	}
}

// gvKey is the v3 discovery key of a group-version: "api/v1", "apis/apps/v1".
func gvKey(group, version string) string {
	if group == "" {
		return "api/" + version
	}
	return "apis/" + group + "/" + version
}
