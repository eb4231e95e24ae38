package printers

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// RowsTable builds a Table whose columns a caller defines: the custom
// resources' printer columns (sim/apiextensions). cells returns one row's
// cells; row objects follow Options.IncludeObject as for every Table.
func RowsTable(headers []metav1.TableColumnDefinition, objs []runtime.Object, listMeta metav1.ListMeta, opts Options, cells func(runtime.Object) []any) (*metav1.Table, error) {
	tv, err := opts.tableAPIVersion()
	if err != nil {
		return nil, err
	}
	rows := make([]metav1.TableRow, 0, len(objs))
	for _, obj := range objs {
		row := metav1.TableRow{Cells: cells(obj)}
		if err := includeObject(&row, obj, obj.GetObjectKind().GroupVersionKind(), opts.IncludeObject, tv); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	t := newTable(objs, listMeta, rows, tv)
	if !opts.NoHeaders {
		t.ColumnDefinitions = cloneColumns(headers)
	}
	return t, nil
}
