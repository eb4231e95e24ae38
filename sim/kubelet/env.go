package kubelet

import (
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/sim/registry"
)

// containerEnv resolves a container's environment as the kubelet's
// makeEnvironmentVariables does: envFrom (ConfigMaps and Secrets, with
// prefixes) first, then env, whose values expand $(VAR) references and
// whose valueFrom reads the pod's fields, ConfigMaps and Secrets. A missing
// source is the error the kubelet reports as CreateContainerConfigError.
func (k *Kubelet) containerEnv(ps *podState, c *ctrState) ([]*runtimeapi.KeyValue, error) {
	vars := map[string]string{}
	var order []string
	set := func(name, value string) {
		if _, ok := vars[name]; !ok {
			order = append(order, name)
		}
		vars[name] = value
	}
	for _, ef := range c.spec.EnvFrom {
		data, err := k.envSource(ps.ns, ef.ConfigMapRef, ef.SecretRef)
		if err != nil {
			return nil, err
		}
		keys := slices.Sorted(maps.Keys(data))
		for _, key := range keys {
			set(ef.Prefix+key, data[key])
		}
	}
	svcEnv := k.serviceEnv(ps.pod)
	for _, e := range c.spec.Env {
		if e.ValueFrom == nil {
			set(e.Name, expandVars(expandVars(e.Value, vars), svcEnv))
			continue
		}
		v, skip, err := k.envValueFrom(ps, c, e.ValueFrom)
		if err != nil {
			return nil, err
		}
		if !skip {
			set(e.Name, v)
		}
	}
	out := make([]*runtimeapi.KeyValue, 0, len(order)+len(svcEnv))
	for _, name := range order {
		out = append(out, &runtimeapi.KeyValue{Key: name, Value: []byte(vars[name])})
	}
	// The service variables come last, those the container's own env does
	// not set.
	for _, name := range slices.Sorted(maps.Keys(svcEnv)) {
		if _, ok := vars[name]; !ok {
			out = append(out, &runtimeapi.KeyValue{Key: name, Value: []byte(svcEnv[name])})
		}
	}
	return out, nil
}

// serviceEnv is the kubelet's getServiceEnvVarMap with envvars.FromServices
// (pkg/kubelet/kubelet_pods.go, pkg/kubelet/envvars/envvars.go): the
// kubernetes Service of namespace default always, and with
// enableServiceLinks (the default) every Service of the pod's namespace
// that has a cluster IP (headless and ExternalName ones have none), as
// they are when the container starts; the variables never change after.
func (k *Kubelet) serviceEnv(p *corev1.Pod) map[string]string {
	res, ok := lookupResource("services")
	if !ok {
		return nil
	}
	links := p.Spec.EnableServiceLinks == nil || *p.Spec.EnableServiceLinks
	byName := map[string]*corev1.Service{}
	if o, err := k.cfg.Registry.Get(res, metav1.NamespaceDefault, "kubernetes"); err == nil {
		byName["kubernetes"] = o.(*corev1.Service)
	}
	if links {
		objs, _, err := k.cfg.Registry.List(res, p.Namespace, registry.ListOptions{})
		if err == nil {
			for _, o := range objs {
				svc := o.(*corev1.Service)
				byName[svc.Name] = svc
			}
		}
	}
	env := map[string]string{}
	for _, svc := range byName {
		ip := svc.Spec.ClusterIP
		if ip == "" || ip == corev1.ClusterIPNone {
			continue
		}
		name := strings.ToUpper(strings.ReplaceAll(svc.Name, "-", "_"))
		env[name+"_SERVICE_HOST"] = ip
		for i, sp := range svc.Spec.Ports {
			port := strconv.Itoa(int(sp.Port))
			if i == 0 {
				env[name+"_SERVICE_PORT"] = port
			}
			if sp.Name != "" {
				env[name+"_SERVICE_PORT_"+strings.ToUpper(strings.ReplaceAll(sp.Name, "-", "_"))] = port
			}
			proto := strings.ToLower(string(sp.Protocol))
			if proto == "" {
				proto = "tcp"
			}
			url := proto + "://" + net.JoinHostPort(ip, port)
			prefix := name + "_PORT_" + port + "_" + strings.ToUpper(proto)
			if i == 0 {
				env[name+"_PORT"] = url
			}
			env[prefix] = url
			env[prefix+"_PROTO"] = proto
			env[prefix+"_PORT"] = port
			env[prefix+"_ADDR"] = ip
		}
	}
	return env
}

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// expandVars replaces $(NAME) with earlier variables, leaving unknown ones.
func expandVars(s string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

func (k *Kubelet) lookupData(ns, resource, name string) (map[string]string, bool) {
	res, _ := lookupResource(resource)
	obj, err := k.cfg.Registry.Get(res, ns, name)
	if err != nil {
		return nil, false
	}
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		return o.Data, true
	case *corev1.Secret:
		data := map[string]string{}
		for key, v := range o.Data {
			data[key] = string(v)
		}
		for key, v := range o.StringData {
			data[key] = v
		}
		return data, true
	}
	return nil, false
}

func (k *Kubelet) envSource(ns string, cm *corev1.ConfigMapEnvSource, sec *corev1.SecretEnvSource) (map[string]string, error) {
	var data map[string]string
	var err error
	switch {
	case cm != nil:
		data, _, err = k.refData(ns, "configmaps", "ConfigMap", cm.Name, cm.Optional)
	case sec != nil:
		data, _, err = k.refData(ns, "secrets", "Secret", sec.Name, sec.Optional)
	}
	return data, err
}

// refData returns the data of the ConfigMap or Secret an env source or key
// ref names; skip for a missing optional one, the kubelet's error for a
// missing required one.
func (k *Kubelet) refData(ns, resource, kind, name string, optional *bool) (data map[string]string, skip bool, err error) {
	data, ok := k.lookupData(ns, resource, name)
	switch {
	case ok:
		return data, false, nil
	case optional != nil && *optional:
		return nil, true, nil
	}
	return nil, false, fmt.Errorf("%s %q not found", strings.ToLower(kind), name)
}

func (k *Kubelet) envValueFrom(ps *podState, c *ctrState, from *corev1.EnvVarSource) (value string, skip bool, err error) {
	switch {
	case from.FieldRef != nil:
		p := ps.pod
		switch from.FieldRef.FieldPath {
		case "metadata.name":
			return p.Name, false, nil
		case "metadata.namespace":
			return p.Namespace, false, nil
		case "metadata.uid":
			return string(p.UID), false, nil
		case "spec.nodeName":
			return p.Spec.NodeName, false, nil
		case "spec.serviceAccountName":
			return p.Spec.ServiceAccountName, false, nil
		case "status.hostIP":
			return k.cfg.NodeIP, false, nil
		case "status.podIP":
			return ps.ip, false, nil
		}
		return "", true, nil
	case from.ResourceFieldRef != nil:
		return k.resourceField(c, from.ResourceFieldRef), false, nil
	case from.ConfigMapKeyRef != nil:
		ref := from.ConfigMapKeyRef
		return k.keyRef(ps.ns, "configmaps", "ConfigMap", ref.Name, ref.Key, ref.Optional)
	case from.SecretKeyRef != nil:
		ref := from.SecretKeyRef
		return k.keyRef(ps.ns, "secrets", "Secret", ref.Name, ref.Key, ref.Optional)
	}
	return "", true, nil
}

// keyRef resolves a configMapKeyRef or secretKeyRef (the kubelet's
// makeEnvironmentVariables): the value, or skip for a missing optional
// object or key, or the kubelet's error.
func (k *Kubelet) keyRef(ns, resource, kind, name, key string, optional *bool) (value string, skip bool, err error) {
	data, skip, err := k.refData(ns, resource, kind, name, optional)
	if skip || err != nil {
		return "", skip, err
	}
	v, ok := data[key]
	if !ok {
		if optional != nil && *optional {
			return "", true, nil
		}
		return "", false, fmt.Errorf("couldn't find key %s in %s %s/%s", key, kind, ns, name)
	}
	return v, false, nil
}

// resourceField is the downward API's resourceFieldRef: a container's
// request or limit (a missing limit is the node's allocatable), divided by
// the divisor and rounded up.
func (k *Kubelet) resourceField(c *ctrState, r *corev1.ResourceFieldSelector) string {
	return k.resourceValue(&c.spec, r)
}

// resourceValue is resourceField for a container's spec.
func (k *Kubelet) resourceValue(c *corev1.Container, r *corev1.ResourceFieldSelector) string {
	kind, name, _ := strings.Cut(r.Resource, ".")
	list := c.Resources.Limits
	if kind == "requests" {
		list = c.Resources.Requests
	}
	q, ok := list[corev1.ResourceName(name)]
	if !ok {
		switch name {
		case "cpu":
			q = *resource.NewQuantity(int64(k.cfg.CPUs), resource.DecimalSI)
		case "memory":
			q = k.cfg.Memory
		}
	}
	divisor := r.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	if name == "cpu" {
		return strconv.FormatInt((q.MilliValue()+divisor.MilliValue()-1)/divisor.MilliValue(), 10)
	}
	return strconv.FormatInt((q.Value()+divisor.Value()-1)/divisor.Value(), 10)
}

func lookupResource(resource string) (*registry.Resource, bool) {
	return registry.Lookup(schema.GroupResource{Resource: resource})
}
