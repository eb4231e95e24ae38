package printers

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ResourceQuota's table (printers.go printResourceQuota). Its AGE column
// moved from second to last in v1.33 (printers.go of v1.32.0 and v1.33.0).
var (
	resourceQuotaColumns133 = []metav1.TableColumnDefinition{
		nameColumn(),
		col("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
		col("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
		ageColumn(),
	}
	resourceQuotaColumns127 = []metav1.TableColumnDefinition{
		resourceQuotaColumns133[0], resourceQuotaColumns133[3], resourceQuotaColumns133[1], resourceQuotaColumns133[2],
	}
)

func resourceQuotaColumns(c *printContext) []metav1.TableColumnDefinition {
	if c.atLeast(33) {
		return resourceQuotaColumns133
	}
	return resourceQuotaColumns127
}

func init() {
	handlers[schema.GroupResource{Resource: "resourcequotas"}] = handler{corev1.SchemeGroupVersion.WithKind("ResourceQuota"), resourceQuotaColumns, typed(printResourceQuota)}
}

// printResourceQuota lists "name: used/hard" for each hard limit in name
// order, limits.* in LIMIT and the rest in REQUEST.
func printResourceQuota(q *corev1.ResourceQuota, c *printContext) metav1.TableRow {
	names := make([]string, 0, len(q.Status.Hard))
	for n := range q.Status.Hard {
		names = append(names, string(n))
	}
	sort.Strings(names)
	var req, lim strings.Builder
	for _, n := range names {
		w := &req
		if pieces := strings.Split(n, "."); len(pieces) > 1 && pieces[0] == "limits" {
			w = &lim
		}
		used, hard := q.Status.Used[corev1.ResourceName(n)], q.Status.Hard[corev1.ResourceName(n)]
		fmt.Fprintf(w, "%s: %s/%s, ", n, used.String(), hard.String())
	}
	request, limit := strings.TrimSuffix(req.String(), ", "), strings.TrimSuffix(lim.String(), ", ")
	age := c.since(q.CreationTimestamp)
	if c.atLeast(33) {
		return metav1.TableRow{Cells: []interface{}{q.Name, request, limit, age}}
	}
	return metav1.TableRow{Cells: []interface{}{q.Name, age, request, limit}}
}
