package printers

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// apps/v1 printers. kube-apiserver prints the internal types, where
// spec.replicas is a plain int32: an unset (nil) v1 pointer prints as 0.

func deref32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// containerCells joins the template's container names and images with ","
// (init containers excluded), as upstream layoutContainerCells.
func containerCells(containers []corev1.Container) (names, images string) {
	n := make([]string, len(containers))
	im := make([]string, len(containers))
	for i, ct := range containers {
		n[i] = ct.Name
		im[i] = ct.Image
	}
	return strings.Join(n, ","), strings.Join(im, ",")
}

func printDeployment(d *appsv1.Deployment, c *printContext) metav1.TableRow {
	// Deployments print the selector with Selector.String(): empty, not
	// "<none>", for an empty selector, and "<invalid>" when it cannot parse.
	selector := "<invalid>"
	if sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err == nil {
		selector = sel.String()
	}
	names, images := containerCells(d.Spec.Template.Spec.Containers)
	return metav1.TableRow{Cells: []interface{}{
		d.Name,
		fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, deref32(d.Spec.Replicas)),
		int64(d.Status.UpdatedReplicas),
		int64(d.Status.AvailableReplicas),
		c.since(d.CreationTimestamp),
		names,
		images,
		selector,
	}}
}

func printReplicaSet(rs *appsv1.ReplicaSet, c *printContext) metav1.TableRow {
	names, images := containerCells(rs.Spec.Template.Spec.Containers)
	return metav1.TableRow{Cells: []interface{}{
		rs.Name,
		int64(deref32(rs.Spec.Replicas)),
		int64(rs.Status.Replicas),
		int64(rs.Status.ReadyReplicas),
		c.since(rs.CreationTimestamp),
		names,
		images,
		metav1.FormatLabelSelector(rs.Spec.Selector),
	}}
}

func printDaemonSet(ds *appsv1.DaemonSet, c *printContext) metav1.TableRow {
	st := ds.Status
	names, images := containerCells(ds.Spec.Template.Spec.Containers)
	return metav1.TableRow{Cells: []interface{}{
		ds.Name,
		int64(st.DesiredNumberScheduled),
		int64(st.CurrentNumberScheduled),
		int64(st.NumberReady),
		int64(st.UpdatedNumberScheduled),
		int64(st.NumberAvailable),
		labels.FormatLabels(ds.Spec.Template.Spec.NodeSelector),
		c.since(ds.CreationTimestamp),
		names,
		images,
		metav1.FormatLabelSelector(ds.Spec.Selector),
	}}
}

func printStatefulSet(ss *appsv1.StatefulSet, c *printContext) metav1.TableRow {
	names, images := containerCells(ss.Spec.Template.Spec.Containers)
	return metav1.TableRow{Cells: []interface{}{
		ss.Name,
		fmt.Sprintf("%d/%d", ss.Status.ReadyReplicas, deref32(ss.Spec.Replicas)),
		c.since(ss.CreationTimestamp),
		names,
		images,
	}}
}
