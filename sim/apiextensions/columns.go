package apiextensions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/client-go/util/jsonpath"
)

var metaDocs = metav1.ObjectMeta{}.SwaggerDoc()

// DefaultColumns are the printer columns of a version that declares none:
// Age, as apiextensions-apiserver serves them (serveDefaultColumnsIfEmpty).
func DefaultColumns(cols []apiextensionsv1.CustomResourceColumnDefinition) []apiextensionsv1.CustomResourceColumnDefinition {
	if len(cols) > 0 {
		return cols
	}
	return []apiextensionsv1.CustomResourceColumnDefinition{
		{Name: "Age", Type: "date", Description: metaDocs["creationTimestamp"], JSONPath: ".metadata.creationTimestamp"},
	}
}

// Columns turns custom resources into Table rows by a version's printer
// columns, as the CR table convertor does: Name, then one cell per column
// from its JSONPath (nil when missing or of the wrong type).
type Columns struct {
	Headers []metav1.TableColumnDefinition
	paths   []*jsonpath.JSONPath
}

// NewColumns compiles cols (DefaultColumns applied). A column whose
// JSONPath does not parse makes the table Name only, as upstream falls back
// to its default convertor; the error says which.
func NewColumns(cols []apiextensionsv1.CustomResourceColumnDefinition) (*Columns, error) {
	c := &Columns{Headers: []metav1.TableColumnDefinition{{Name: "Name", Type: "string", Format: "name", Description: metaDocs["name"]}}}
	for _, col := range DefaultColumns(cols) {
		p := jsonpath.New(col.Name)
		if err := p.Parse(fmt.Sprintf("{%s}", col.JSONPath)); err != nil {
			return &Columns{Headers: c.Headers[:1]}, fmt.Errorf("unrecognized column definition %q", col.JSONPath)
		}
		p.AllowMissingKeys(true)
		desc := fmt.Sprintf("Custom resource definition column (in JSONPath format): %s", col.JSONPath)
		if col.Description != "" {
			desc = col.Description
		}
		c.paths = append(c.paths, p)
		c.Headers = append(c.Headers, metav1.TableColumnDefinition{Name: col.Name, Type: col.Type, Format: col.Format, Description: desc, Priority: col.Priority})
	}
	return c, nil
}

// Cells returns one row's cells for obj; now is the cluster's clock (date
// columns print an age).
func (c *Columns) Cells(obj map[string]any, name string, now time.Time) (cells []any) {
	cells = append(make([]any, 0, 1+len(c.paths)), name)
	var buf bytes.Buffer
	for i, p := range c.paths {
		typ := c.Headers[i+1].Type
		results, err := findResults(p, obj)
		if err != nil || len(results) == 0 || len(results[0]) == 0 {
			cells = append(cells, nil)
			continue
		}
		value := results[0][0].Interface()
		if typ == "string" {
			if err := p.PrintResults(&buf, []reflect.Value{reflect.ValueOf(value)}); err == nil {
				cells = append(cells, buf.String())
			} else {
				cells = append(cells, nil)
			}
			buf.Reset()
			continue
		}
		cells = append(cells, cellFor(typ, value, now))
	}
	return cells
}

// findResults is jsonpath's FindResults, contained: a stored object must
// never stop a list.
func findResults(p *jsonpath.JSONPath, obj map[string]any) (r [][]reflect.Value, err error) {
	defer func() {
		if x := recover(); x != nil {
			r, err = nil, fmt.Errorf("jsonpath: %v", x)
		}
	}()
	return p.FindResults(obj)
}

func cellFor(typ string, value any, now time.Time) any {
	if value == nil {
		return nil
	}
	switch typ {
	case "integer":
		switch v := value.(type) {
		case int64:
			return v
		case float64:
			return int64(v)
		case json.Number:
			if i, err := v.Int64(); err == nil {
				return i
			}
		}
	case "number":
		switch v := value.(type) {
		case int64:
			return float64(v)
		case float64:
			return v
		case json.Number:
			if f, err := v.Float64(); err == nil {
				return f
			}
		}
	case "boolean":
		if b, ok := value.(bool); ok {
			return b
		}
	case "string":
		if s, ok := value.(string); ok {
			return s
		}
	case "date":
		if s, ok := value.(string); ok {
			var t metav1.Time
			if err := t.UnmarshalQueryParameter(s); err != nil {
				return "<invalid>"
			}
			if t.IsZero() {
				return "<unknown>"
			}
			return duration.HumanDuration(now.Sub(t.Time))
		}
	}
	return nil
}
