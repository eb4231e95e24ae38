package printers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/duration"
)

// IncludeObject values accepted in Options.IncludeObject, as the
// includeObject query parameter of kube-apiserver (metav1.IncludeObjectPolicy).
const (
	IncludeNone     = string(metav1.IncludeNone)     // "None": row.object is null
	IncludeMetadata = string(metav1.IncludeMetadata) // "Metadata" (also ""): PartialObjectMetadata
	IncludeObject   = string(metav1.IncludeObject)   // "Object": the full object
)

// DefaultVersion is the Kubernetes version assumed when Options.Version is
// empty: the newest release whose printers this package models.
const DefaultVersion = "v1.33.0"

// Options controls how a Table is generated.
type Options struct {
	// Now is the virtual clock's current time; every age cell is
	// duration.HumanDuration(Now - timestamp). A zero timestamp prints
	// "<unknown>". Required by Table (a zero Now is an error).
	Now time.Time
	// Version is the cluster's Kubernetes version ("v1.27.1", "1.32", "v1.33.0-rc.1").
	// Where the printers changed between releases the Table follows that
	// release. Empty means DefaultVersion.
	Version string
	// NoHeaders leaves columnDefinitions nil (JSON null), as kube-apiserver
	// does for every watch event after the first.
	NoHeaders bool
	// IncludeObject is the includeObject query parameter: "" or "Metadata"
	// (PartialObjectMetadata), "Object" (the full object, kind/apiVersion set)
	// or "None" (null). Any other value is a 400 BadRequest, as upstream.
	IncludeObject string
	// TableVersion is the meta.k8s.io version the client asked for in its
	// Accept header: "v1" (also "") or "v1beta1". It becomes the Table's
	// apiVersion and, as upstream, the apiVersion of PartialObjectMetadata rows.
	TableVersion string
}

// printContext carries what every row printer needs: the clock and the release.
type printContext struct {
	now          time.Time
	minor        int    // Kubernetes minor version (27 for v1.27.1)
	tableVersion string // "meta.k8s.io/v1" or "meta.k8s.io/v1beta1"
}

// since is printers.go's translateTimestampSince on the virtual clock.
func (c *printContext) since(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(c.now.Sub(t.Time))
}

// sinceMicro is translateMicroTimestampSince on the virtual clock.
func (c *printContext) sinceMicro(t metav1.MicroTime) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(c.now.Sub(t.Time))
}

// atLeast reports whether the cluster runs Kubernetes 1.minor or newer.
func (c *printContext) atLeast(minor int) bool { return c.minor >= minor }

// parseMinor extracts the minor version from a Kubernetes version string.
func parseMinor(version string) (int, error) {
	if version == "" {
		version = DefaultVersion
	}
	v := strings.TrimPrefix(version, "v")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 || parts[0] != "1" {
		return 0, fmt.Errorf("printers: unsupported Kubernetes version %q (want v1.<minor>[.<patch>])", version)
	}
	minorText := parts[1]
	if i := strings.IndexAny(minorText, "-+"); i >= 0 {
		minorText = minorText[:i]
	}
	minor, err := strconv.Atoi(minorText)
	if err != nil || minor < 0 {
		return 0, fmt.Errorf("printers: unsupported Kubernetes version %q: bad minor version", version)
	}
	return minor, nil
}

func (o Options) context() (*printContext, error) {
	if o.Now.IsZero() {
		// Every age would read "<invalid>"; the caller forgot the clock.
		return nil, fmt.Errorf("printers: Options.Now is not set (pass the virtual clock's time)")
	}
	minor, err := parseMinor(o.Version)
	if err != nil {
		return nil, err
	}
	tv, err := o.tableAPIVersion()
	if err != nil {
		return nil, err
	}
	return &printContext{now: o.Now, minor: minor, tableVersion: tv}, nil
}

func (o Options) tableAPIVersion() (string, error) {
	switch o.TableVersion {
	case "", "v1":
		return "meta.k8s.io/v1", nil
	case "v1beta1":
		return "meta.k8s.io/v1beta1", nil
	}
	return "", fmt.Errorf("printers: no Table exists in group version meta.k8s.io/%s", o.TableVersion)
}

// rowPrinter turns one object into its cells (and conditions). It returns an
// error when the object is not of the handler's Go type.
type rowPrinter func(obj runtime.Object, c *printContext) (metav1.TableRow, error)

// handler is one resource's printer: its served kind, its columns for a given
// release and its row function.
type handler struct {
	gvk     schema.GroupVersionKind
	columns func(c *printContext) []metav1.TableColumnDefinition
	row     rowPrinter
}

// typed adapts a row function over a concrete type to a rowPrinter.
func typed[T runtime.Object](f func(obj T, c *printContext) metav1.TableRow) rowPrinter {
	return func(obj runtime.Object, c *printContext) (metav1.TableRow, error) {
		t, ok := obj.(T)
		if !ok {
			var want T
			return metav1.TableRow{}, fmt.Errorf("printers: cannot print %T as %T", obj, want)
		}
		return f(t, c), nil
	}
}

// fixed returns a columns func for a column set that never changed in 1.27–1.33.
func fixed(cols []metav1.TableColumnDefinition) func(*printContext) []metav1.TableColumnDefinition {
	return func(*printContext) []metav1.TableColumnDefinition { return cols }
}

// Supported reports whether the group/resource has a printer. Without one the
// API server answers with DefaultTable, as kube-apiserver does.
func Supported(gr schema.GroupResource) bool {
	_, ok := handlers[gr]
	return ok
}

// Table builds the Table kube-apiserver returns for gr.
//
// objs are typed k8s.io/api objects (*corev1.Pod, *appsv1.Deployment, ...) in
// the order the rows should appear; TypeMeta may be empty. For a list, pass
// the list's ListMeta: resourceVersion, continue and remainingItemCount are
// copied into the Table (selfLink never is). For a single object (a GET of one
// name, or one watch event) pass that object alone and a zero ListMeta: the
// Table then carries the object's resourceVersion, as upstream. An empty list
// gives "rows":[].
//
// Rows share metadata maps and slices with objs; do not mutate objs until the
// Table has been encoded.
func Table(gr schema.GroupResource, objs []runtime.Object, listMeta metav1.ListMeta, opts Options) (*metav1.Table, error) {
	h, ok := handlers[gr]
	if !ok {
		return nil, fmt.Errorf("printers: no printer for %s", gr.String())
	}
	c, err := opts.context()
	if err != nil {
		return nil, err
	}
	rows := make([]metav1.TableRow, 0, len(objs))
	for _, obj := range objs {
		row, err := h.row(obj, c)
		if err != nil {
			return nil, err
		}
		if err := includeObject(&row, obj, h.gvk, opts.IncludeObject, c.tableVersion); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	t := newTable(objs, listMeta, rows, c.tableVersion)
	if !opts.NoHeaders {
		t.ColumnDefinitions = cloneColumns(h.columns(c))
	}
	return t, nil
}

// DefaultTable is kube-apiserver's table for resources without a printer
// (apiserver pkg/registry/rest/table.go): columns Name and "Created At"
// (type date), cells the name and the creationTimestamp in UTC RFC 3339.
// Unlike the printers, an empty list leaves rows nil ("rows":null), because
// upstream appends to a nil slice there.
func DefaultTable(objs []runtime.Object, listMeta metav1.ListMeta, opts Options) (*metav1.Table, error) {
	tv, err := opts.tableAPIVersion()
	if err != nil {
		return nil, err
	}
	var rows []metav1.TableRow
	for _, obj := range objs {
		m, err := meta.Accessor(obj)
		if err != nil {
			return nil, fmt.Errorf("printers: default table: %w", err)
		}
		row := metav1.TableRow{Cells: []interface{}{
			m.GetName(),
			m.GetCreationTimestamp().Time.UTC().Format(time.RFC3339),
		}}
		gvk := obj.GetObjectKind().GroupVersionKind()
		if err := includeObject(&row, obj, gvk, opts.IncludeObject, tv); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	t := newTable(objs, listMeta, rows, tv)
	if !opts.NoHeaders {
		t.ColumnDefinitions = []metav1.TableColumnDefinition{
			{Name: "Name", Type: "string", Format: "name", Description: docName},
			{Name: "Created At", Type: "date", Description: docCreationTimestamp},
		}
	}
	return t, nil
}

// newTable fills the Table's TypeMeta and ListMeta.
func newTable(objs []runtime.Object, listMeta metav1.ListMeta, rows []metav1.TableRow, apiVersion string) *metav1.Table {
	t := &metav1.Table{
		TypeMeta: metav1.TypeMeta{Kind: "Table", APIVersion: apiVersion},
		ListMeta: metav1.ListMeta{
			ResourceVersion:    listMeta.ResourceVersion,
			Continue:           listMeta.Continue,
			RemainingItemCount: listMeta.RemainingItemCount,
		},
		Rows: rows,
	}
	if isZeroListMeta(listMeta) && len(objs) == 1 {
		if m, err := meta.Accessor(objs[0]); err == nil {
			t.ResourceVersion = m.GetResourceVersion()
		}
	}
	return t
}

func isZeroListMeta(lm metav1.ListMeta) bool {
	return lm.ResourceVersion == "" && lm.Continue == "" && lm.RemainingItemCount == nil && lm.SelfLink == ""
}

// includeObject sets row.Object as apiserver's asTable does for the
// includeObject parameter. As upstream, the value is only checked per row, so
// an unknown value with no rows is not an error.
func includeObject(row *metav1.TableRow, obj runtime.Object, gvk schema.GroupVersionKind, policy, tableAPIVersion string) error {
	switch policy {
	case IncludeObject:
		full := obj.DeepCopyObject()
		if !gvk.Empty() {
			full.GetObjectKind().SetGroupVersionKind(gvk)
		}
		row.Object = runtime.RawExtension{Object: full}
	case IncludeMetadata, "":
		m, err := meta.Accessor(obj)
		if err != nil {
			return fmt.Errorf("printers: %w", err)
		}
		partial := meta.AsPartialObjectMetadata(m)
		partial.TypeMeta = metav1.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: tableAPIVersion}
		row.Object = runtime.RawExtension{Object: partial}
	case IncludeNone:
		row.Object = runtime.RawExtension{}
	default:
		return apierrors.NewBadRequest(fmt.Sprintf("unrecognized includeObject value: %q", policy))
	}
	return nil
}

func cloneColumns(cols []metav1.TableColumnDefinition) []metav1.TableColumnDefinition {
	out := make([]metav1.TableColumnDefinition, len(cols))
	copy(out, cols)
	return out
}
