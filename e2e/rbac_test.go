package e2e

import (
	"strings"
	"testing"

	"kubesim/sim"
)

// TestRBAC: with the embedded kubectl (the cluster admin), create a
// service account, a Role and a RoleBinding with kubectl create; the
// account lists pods and is Forbidden on secrets with upstream's text;
// auth can-i answers from the rules; the default roles are there.
func TestRBAC(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			spec := sim.DefaultClusterSpec()
			spec.KubernetesVersion = version
			cl := newCluster(t, spec)
			for _, cmd := range []string{
				"create serviceaccount sa",
				"create role pod-reader --verb=get,list,watch --resource=pods",
				"create rolebinding sa-reads --role=pod-reader --serviceaccount=default:sa",
				"create clusterrole node-reader --verb=get,list --resource=nodes",
				"create clusterrolebinding jane-nodes --clusterrole=node-reader --user=jane",
			} {
				if out, errOut, code := cl.kubectl(cmd); code != 0 {
					t.Fatalf("kubectl %s: %d %s%s", cmd, code, out, errOut)
				}
			}
			const as = " --as=system:serviceaccount:default:sa"
			if _, errOut, code := cl.kubectl("get pods" + as); code != 0 {
				t.Errorf("get pods as sa: exit %d %s", code, errOut)
			}
			_, errOut, code := cl.kubectl("get secrets" + as)
			if want := `Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:default:sa" cannot list resource "secrets" in API group "" in the namespace "default"` + "\n"; code != 1 || errOut != want {
				t.Errorf("get secrets as sa: exit %d\n got %q\nwant %q", code, errOut, want)
			}
			for _, tc := range []struct{ args, out string }{
				{"auth can-i list pods" + as, "yes\n"},
				{"auth can-i list secrets" + as, "no\n"},
				{"auth can-i create deployments" + as, "no\n"},
				{"auth can-i '*' '*'", "yes\n"},
				{"auth can-i list pods --as=jane", "no\n"},
				{"auth can-i list nodes --as=jane", "yes\n"},
			} {
				if out, _, _ := cl.kubectl(tc.args); out != tc.out {
					t.Errorf("%s: %q, want %q", tc.args, out, tc.out)
				}
			}
			_, errOut, code = cl.kubectl("get nodes" + as)
			if want := `Error from server (Forbidden): nodes is forbidden: User "system:serviceaccount:default:sa" cannot list resource "nodes" in API group "" at the cluster scope` + "\n"; code != 1 || errOut != want {
				t.Errorf("get nodes as sa: exit %d\n got %q\nwant %q", code, errOut, want)
			}
			out, _, _ := cl.kubectl("get rolebindings -o wide")
			if want := "NAME       ROLE              AGE   USERS   GROUPS   SERVICEACCOUNTS\nsa-reads   Role/pod-reader   0s                     default/sa\n"; out != want {
				t.Errorf("get rolebindings -o wide:\n%s\nwant\n%s", out, want)
			}
			out, _, _ = cl.kubectl("get clusterroles")
			for _, name := range []string{"admin", "cluster-admin", "edit", "view", "system:basic-user", "system:discovery"} {
				if !strings.Contains(out, "\n"+name+" ") {
					t.Errorf("get clusterroles lacks %s:\n%s", name, out)
				}
			}
			// Aggregation filled view from system:aggregate-to-view.
			out, _, _ = cl.kubectl("get clusterrole view -o jsonpath={.rules[0].resources}")
			if !strings.Contains(out, "configmaps") {
				t.Errorf("view's rules: %q", out)
			}
			wantWhoami := "ATTRIBUTE   VALUE\nUsername    kubernetes-admin\nGroups      [system:masters system:authenticated]\n"
			if version == "v1.33.0" {
				wantWhoami = "ATTRIBUTE   VALUE\nUsername    kubernetes-admin\nGroups      [kubeadm:cluster-admins system:authenticated]\n"
			}
			if out, errOut, code := cl.kubectl("auth whoami"); code != 0 || out != wantWhoami {
				t.Errorf("auth whoami: exit %d %s\n got %q\nwant %q", code, errOut, out, wantWhoami)
			}
			wantSA := "ATTRIBUTE   VALUE\nUsername    system:serviceaccount:default:sa\nGroups      [system:serviceaccounts system:serviceaccounts:default system:authenticated]\n"
			if out, errOut, code := cl.kubectl("auth whoami" + as); code != 0 || out != wantSA {
				t.Errorf("auth whoami as sa: exit %d %s\n got %q\nwant %q", code, errOut, out, wantSA)
			}
			out, errOut, code = cl.kubectl("auth can-i --list" + as)
			if code != 0 || out != canIListSA {
				t.Errorf("auth can-i --list as sa: exit %d %s\n got:\n%s\nwant:\n%s", code, errOut, out, canIListSA)
			}
		})
	}
}

// canIListSA is kubectl auth can-i --list for a service account with the
// pod-reader Role: its rules, then system:basic-user's, system:discovery's
// and system:public-info-viewer's.
const canIListSA = `Resources                                       Non-Resource URLs   Resource Names   Verbs
selfsubjectreviews.authentication.k8s.io        []                  []               [create]
selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]
selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]
pods                                            []                  []               [get list watch]
                                                [/api/*]            []               [get]
                                                [/api]              []               [get]
                                                [/apis/*]           []               [get]
                                                [/apis]             []               [get]
                                                [/healthz]          []               [get]
                                                [/healthz]          []               [get]
                                                [/livez]            []               [get]
                                                [/livez]            []               [get]
                                                [/openapi/*]        []               [get]
                                                [/openapi]          []               [get]
                                                [/readyz]           []               [get]
                                                [/readyz]           []               [get]
                                                [/version/]         []               [get]
                                                [/version/]         []               [get]
                                                [/version]          []               [get]
                                                [/version]          []               [get]
`
