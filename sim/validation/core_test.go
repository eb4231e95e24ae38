package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// service is `kubectl expose deploy web --port=80` after defaulting.
func service() *corev1.Service {
	return &corev1.Service{ObjectMeta: objMeta("web"), Spec: corev1.ServiceSpec{
		Type: corev1.ServiceTypeClusterIP, SessionAffinity: corev1.ServiceAffinityNone,
		Selector:  map[string]string{"app": "web"},
		ClusterIP: "10.96.0.20", ClusterIPs: []string{"10.96.0.20"},
		Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(80)}},
	}}
}

func TestValidateService(t *testing.T) {
	k := schema.GroupKind{Kind: "Service"}
	tests := []struct {
		name   string
		mutate func(*corev1.Service)
		update bool
		want   string
	}{
		{"valid", func(*corev1.Service) {}, false, ""},
		{"port 0", func(s *corev1.Service) { s.Spec.Ports[0].Port = 0 }, false,
			`Service "web" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`},
		{"clusterIP not an IP", func(s *corev1.Service) { s.Spec.ClusterIP = "not-an-ip"; s.Spec.ClusterIPs = []string{"not-an-ip"} }, false,
			`Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "not-an-ip": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`},
		{"name must be a DNS-1035 label", func(s *corev1.Service) { s.Name = "1web" }, false,
			`Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`},
		{"two ports need names", func(s *corev1.Service) {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "https", Port: 443, Protocol: "TCP", TargetPort: intstr.FromInt32(443)})
		}, false, `Service "web" is invalid: spec.ports[0].name: Required value`},
		{"no ports", func(s *corev1.Service) { s.Spec.Ports = nil }, false,
			`Service "web" is invalid: spec.ports: Required value`},
		{"bad type", func(s *corev1.Service) { s.Spec.Type = "Internal" }, false,
			`Service "web" is invalid: spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`},
		{"targetPort out of range", func(s *corev1.Service) { s.Spec.Ports[0].TargetPort = intstr.FromInt32(70000) }, false,
			`Service "web" is invalid: spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive`},
		{"clusterIP may not change", func(s *corev1.Service) { s.Spec.ClusterIP = "10.96.0.99" }, true,
			`Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set`},
		{"ports may change", func(s *corev1.Service) { s.Spec.Ports[0].Port = 8080 }, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := service()
			s := old.DeepCopy()
			tt.mutate(s)
			errs := ValidateService(s)
			if tt.update {
				errs = ValidateServiceUpdate(s, old)
			}
			check(t, tt.want, invalid(k, s.Name, errs))
		})
	}
}

func TestValidateConfigMapAndSecret(t *testing.T) {
	cmKind, secretKind := schema.GroupKind{Kind: "ConfigMap"}, schema.GroupKind{Kind: "Secret"}
	cm := &corev1.ConfigMap{ObjectMeta: objMeta("cfg"), Data: map[string]string{"a b": "1", "ok.key": "2"}}
	check(t, `ConfigMap "cfg" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
		invalid(cmKind, cm.Name, ValidateConfigMap(cm)))

	old := &corev1.ConfigMap{ObjectMeta: objMeta("cfg"), Data: map[string]string{"k": "v"}, Immutable: ptr(true)}
	cm = old.DeepCopy()
	cm.Data["k"] = "w"
	check(t, `ConfigMap "cfg" is invalid: data: Forbidden: field is immutable when `+"`immutable`"+` is set`,
		invalid(cmKind, cm.Name, ValidateConfigMapUpdate(cm, old)))

	s := &corev1.Secret{ObjectMeta: objMeta("tls"), Type: corev1.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("x")}}
	check(t, `Secret "tls" is invalid: data[tls.key]: Required value`, invalid(secretKind, s.Name, ValidateSecret(s)))

	olds := &corev1.Secret{ObjectMeta: objMeta("s"), Type: corev1.SecretTypeOpaque}
	s = olds.DeepCopy()
	s.Type = corev1.SecretTypeBasicAuth
	s.Data = map[string][]byte{"username": []byte("u")}
	check(t, `Secret "s" is invalid: type: Invalid value: "kubernetes.io/basic-auth": field is immutable`, invalid(secretKind, s.Name, ValidateSecretUpdate(s, olds)))
}

func TestValidateNamespace(t *testing.T) {
	k := schema.GroupKind{Kind: "Namespace"}
	n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "Dev"}}
	check(t, `Namespace "Dev" is invalid: metadata.name: Invalid value: "Dev": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
		invalid(k, n.Name, ValidateNamespace(n)))
	n = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "dev", Labels: map[string]string{"team": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}}
	check(t, `Namespace "dev" is invalid: metadata.labels: Invalid value: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": must be no more than 63 characters`,
		invalid(k, n.Name, ValidateNamespace(n)))
	n = &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "dev", Labels: map[string]string{"a/b/c": "x"}}}
	check(t, `Namespace "dev" is invalid: metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
		invalid(k, n.Name, ValidateNamespace(n)))
}

func TestValidateEndpoints(t *testing.T) {
	k := schema.GroupKind{Kind: "Endpoints"}
	e := &corev1.Endpoints{ObjectMeta: objMeta("web"), Subsets: []corev1.EndpointSubset{{
		Addresses: []corev1.EndpointAddress{{IP: "10.244.1.2"}, {IP: "127.0.0.1"}},
		Ports:     []corev1.EndpointPort{{Port: 80, Protocol: "TCP"}},
	}}}
	check(t, `Endpoints "web" is invalid: subsets[0].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)`,
		invalid(k, e.Name, ValidateEndpoints(e)))
	e.Subsets[0].Addresses = e.Subsets[0].Addresses[:1]
	check(t, "", invalid(k, e.Name, ValidateEndpoints(e)))
}
