package registry

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func quotaPod(name string, req, lim corev1.ResourceList) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx", Resources: corev1.ResourceRequirements{Requests: req, Limits: lim}}}}}
}

// setQuotaStatus plays the quota controller: status.hard from spec, used as given.
func setQuotaStatus(t *testing.T, r *Registry, name string, used corev1.ResourceList) {
	t.Helper()
	rq := mustRes(t, "", "resourcequotas")
	o, err := r.Get(rq, "default", name)
	if err != nil {
		t.Fatal(err)
	}
	q := o.(*corev1.ResourceQuota).DeepCopy()
	q.Status.Hard, q.Status.Used = q.Spec.Hard, used
	if _, err := r.Update(rq, "default", q, "status"); err != nil {
		t.Fatal(err)
	}
}

func TestQuotaAdmission(t *testing.T) {
	r, _, _ := newTestRegistry(t)
	rq, pods := mustRes(t, "", "resourcequotas"), mustRes(t, "", "pods")
	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q"}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
		"pods": resource.MustParse("2"), "requests.cpu": resource.MustParse("1"), "limits.cpu": resource.MustParse("2")}}}
	if _, err := r.Create(rq, "default", q, false); err != nil {
		t.Fatal(err)
	}
	// Until the controller fills status.hard, the quota limits nothing (generic.Matches reads status).
	if _, err := r.Create(pods, "default", quotaPod("early", nil, nil), true); err != nil {
		t.Errorf("before the controller: %v", err)
	}
	setQuotaStatus(t, r, "q", corev1.ResourceList{"pods": resource.MustParse("0"), "requests.cpu": resource.MustParse("0"), "limits.cpu": resource.MustParse("0")})
	cpu := func(s string) corev1.ResourceList { return corev1.ResourceList{"cpu": resource.MustParse(s)} }
	for _, tt := range []struct {
		pod  *corev1.Pod
		want string
	}{
		{quotaPod("none", nil, nil), `pods "none" is forbidden: failed quota: q: must specify limits.cpu for: c; requests.cpu for: c`},
		{quotaPod("a", cpu("500m"), cpu("1")), ""},
		// Limits alone default the request (SetDefaults_Pod).
		{quotaPod("b", nil, cpu("500m")), ""},
		{quotaPod("big", cpu("100m"), cpu("2")), `pods "big" is forbidden: exceeded quota: q, requested: limits.cpu=2,pods=1,requests.cpu=100m, used: limits.cpu=1500m,pods=2,requests.cpu=1, limited: limits.cpu=2,pods=2,requests.cpu=1`},
	} {
		_, err := r.Create(pods, "default", tt.pod, false)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("create %s: got %q, want %q", tt.pod.Name, got, tt.want)
		}
	}
	o, _ := r.Get(rq, "default", "q")
	used := o.(*corev1.ResourceQuota).Status.Used
	got := map[string]string{}
	for k, v := range used {
		got[string(k)] = v.String()
	}
	if diff := cmp.Diff(map[string]string{"pods": "2", "requests.cpu": "1", "limits.cpu": "1500m"}, got); diff != "" {
		t.Errorf("charged usage (-want +got):\n%s", diff)
	}
}

func TestLimitRangerAdmission(t *testing.T) {
	r, _, _ := newTestRegistry(t)
	lrs, pods := mustRes(t, "", "limitranges"), mustRes(t, "", "pods")
	lr := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "lr"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
		Type: corev1.LimitTypeContainer,
		Max:  corev1.ResourceList{"cpu": resource.MustParse("800m")}, Min: corev1.ResourceList{"cpu": resource.MustParse("200m")},
		Default: corev1.ResourceList{"memory": resource.MustParse("512Mi")}, DefaultRequest: corev1.ResourceList{"memory": resource.MustParse("256Mi")},
	}}}}
	if _, err := r.Create(lrs, "default", lr, false); err != nil {
		t.Fatal(err)
	}
	o, err := r.Create(pods, "default", quotaPod("ok", nil, nil), false)
	if err != nil {
		t.Fatal(err)
	}
	p := o.(*corev1.Pod)
	res := p.Spec.Containers[0].Resources
	got := map[string]string{}
	for k, v := range res.Requests {
		got["req "+string(k)] = v.String()
	}
	for k, v := range res.Limits {
		got["lim "+string(k)] = v.String()
	}
	want := map[string]string{"req cpu": "800m", "req memory": "256Mi", "lim cpu": "800m", "lim memory": "512Mi"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if a := p.Annotations[limitRangerAnnotation]; a != "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c" {
		t.Errorf("annotation %q", a)
	}
	if p.Status.QOSClass != corev1.PodQOSBurstable {
		t.Errorf("QOS class %s after defaults, want Burstable", p.Status.QOSClass)
	}
	cpu := func(s string) corev1.ResourceList { return corev1.ResourceList{"cpu": resource.MustParse(s)} }
	_, err = r.Create(pods, "default", quotaPod("big", cpu("100m"), cpu("1500m")), false)
	if want := `pods "big" is forbidden: [minimum cpu usage per Container is 200m, but request is 100m, maximum cpu usage per Container is 800m, but limit is 1500m]`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestQuotaAdmissionSeesNewQuota: a registry that has admitted creates with
// no quota in the cluster enforces one created later, and stops once it is
// deleted (anyQuota's answer is recounted after each write to a quota).
func TestQuotaAdmissionSeesNewQuota(t *testing.T) {
	r, _, _ := newTestRegistry(t)
	rq, pods := mustRes(t, "", "resourcequotas"), mustRes(t, "", "pods")
	create := func(name string) error {
		_, err := r.Create(pods, "default", quotaPod(name, nil, nil), false)
		return err
	}
	if err := create("before"); err != nil {
		t.Fatal(err)
	}
	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "q"}, Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{"pods": resource.MustParse("1")}}}
	if _, err := r.Create(rq, "default", q, false); err != nil {
		t.Fatal(err)
	}
	setQuotaStatus(t, r, "q", corev1.ResourceList{"pods": resource.MustParse("1")})
	want := `pods "during" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1`
	if err := create("during"); err == nil || err.Error() != want {
		t.Errorf("create with a full quota: %v; want %s", err, want)
	}
	if _, err := r.Delete(rq, "default", "q", nil); err != nil {
		t.Fatal(err)
	}
	if err := create("after"); err != nil {
		t.Errorf("create after the quota's deletion: %v", err)
	}
}

// TestLimitRangerSeesNewLimitRange: as for quotas, a limit range created
// after creates that found none applies to the next pod, and not once
// deleted.
func TestLimitRangerSeesNewLimitRange(t *testing.T) {
	r, _, _ := newTestRegistry(t)
	lrs, pods := mustRes(t, "", "limitranges"), mustRes(t, "", "pods")
	memory := func(name string) string {
		t.Helper()
		o, err := r.Create(pods, "default", quotaPod(name, nil, nil), false)
		if err != nil {
			t.Fatal(err)
		}
		q := o.(*corev1.Pod).Spec.Containers[0].Resources.Requests[corev1.ResourceMemory]
		return q.String()
	}
	if got := memory("before"); got != "0" {
		t.Errorf("memory request with no limit range: %s, want none (0)", got)
	}
	lr := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "lr"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
		Type: corev1.LimitTypeContainer, DefaultRequest: corev1.ResourceList{"memory": resource.MustParse("256Mi")}}}}}
	if _, err := r.Create(lrs, "default", lr, false); err != nil {
		t.Fatal(err)
	}
	if got := memory("during"); got != "256Mi" {
		t.Errorf("memory request under the limit range: %s, want 256Mi", got)
	}
	if _, err := r.Delete(lrs, "default", "lr", nil); err != nil {
		t.Fatal(err)
	}
	if got := memory("after"); got != "0" {
		t.Errorf("memory request after the limit range's deletion: %s, want none (0)", got)
	}
}
