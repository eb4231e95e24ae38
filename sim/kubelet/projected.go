package kubelet

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"kubesim/runtime/containerfs"
)

// The atomically written volumes: configMap, secret, downwardAPI and
// projected (pkg/volume/{configmap,secret,downwardapi,projected}). Each
// SetUp computes the volume's payload (file path → content and mode) the
// way the plugin's MakePayload/CollectData does and hands it to the atomic
// writer, which changes nothing when the payload is what the volume holds.

var (
	resConfigMaps, _ = lookupResource("configmaps")
	resSecrets, _    = lookupResource("secrets")
)

// payload is the files of an atomic volume.
type payload struct {
	files map[string][]byte
	modes map[string]fs.FileMode
}

func newPayload() payload {
	return payload{files: map[string][]byte{}, modes: map[string]fs.FileMode{}}
}

func (p payload) put(name string, data []byte, mode fs.FileMode) {
	p.files[name], p.modes[name] = data, mode&fs.ModePerm
}

// defaultFileMode is the …VolumeSourceDefaultMode of every atomic plugin.
const defaultFileMode = 0o644

func modeOr(m *int32) fs.FileMode {
	if m == nil {
		return defaultFileMode
	}
	return fs.FileMode(*m)
}

// atomicPlugin is the plugin directory of an atomic volume, "" for others.
func atomicPlugin(v *corev1.Volume) string {
	switch {
	case v.ConfigMap != nil:
		return "kubernetes.io~configmap"
	case v.Secret != nil:
		return "kubernetes.io~secret"
	case v.DownwardAPI != nil:
		return "kubernetes.io~downward-api"
	case v.Projected != nil:
		return "kubernetes.io~projected"
	}
	return ""
}

// setUpAtomic computes an atomic volume's payload and writes it into its
// directory on the node; it reports whether the files changed.
func (k *Kubelet) setUpAtomic(ps *podState, v *corev1.Volume) (bool, error) {
	p, err := k.atomicPayload(ps, v)
	if err != nil {
		return false, err
	}
	dir := k.podDir(ps) + "/volumes/" + atomicPlugin(v) + "/" + v.Name
	return containerfs.WriteAtomic(k.cfg.Runtime.HostDir(dir), p.files, p.modes), nil
}

func (k *Kubelet) atomicPayload(ps *podState, v *corev1.Volume) (payload, error) {
	out := newPayload()
	switch {
	case v.ConfigMap != nil:
		s := v.ConfigMap
		return out, k.configMapPayload(out, ps.ns, s.Name, s.Items, modeOr(s.DefaultMode), isTrue(s.Optional))
	case v.Secret != nil:
		s := v.Secret
		return out, k.secretPayload(out, ps.ns, s.SecretName, s.Items, modeOr(s.DefaultMode), isTrue(s.Optional))
	case v.DownwardAPI != nil:
		return out, k.downwardPayload(out, ps, v.DownwardAPI.Items, modeOr(v.DownwardAPI.DefaultMode))
	case v.Projected != nil:
		mode := modeOr(v.Projected.DefaultMode)
		var errs []error
		for _, src := range v.Projected.Sources {
			var err error
			switch {
			case src.ConfigMap != nil:
				s := src.ConfigMap
				err = k.configMapPayload(out, ps.ns, s.Name, s.Items, mode, isTrue(s.Optional))
			case src.Secret != nil:
				s := src.Secret
				err = k.secretPayload(out, ps.ns, s.Name, s.Items, mode, isTrue(s.Optional))
			case src.DownwardAPI != nil:
				err = k.downwardPayload(out, ps, src.DownwardAPI.Items, mode)
			case src.ServiceAccountToken != nil:
				out.put(src.ServiceAccountToken.Path, []byte(k.serviceAccountToken(ps)), mode)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}
		return out, aggregate(errs)
	}
	return out, nil
}

func isTrue(b *bool) bool { return b != nil && *b }

// aggregate is utilerrors.NewAggregate's message: one error as itself,
// several as [a, b].
func aggregate(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New("[" + strings.Join(msgs, ", ") + "]")
}

// configMapPayload is configmap.MakePayload: every key (data and
// binaryData) or only items; a missing ConfigMap is the cache's NotFound
// (`configmap "x" not found`) unless optional, a missing item key an error
// unless optional.
func (k *Kubelet) configMapPayload(out payload, ns, name string, items []corev1.KeyToPath, mode fs.FileMode, optional bool) error {
	var data map[string][]byte
	if obj, err := k.cfg.Registry.Get(resConfigMaps, ns, name); err == nil {
		cm := obj.(*corev1.ConfigMap)
		data = make(map[string][]byte, len(cm.Data)+len(cm.BinaryData))
		for key, v := range cm.Data {
			data[key] = []byte(v)
		}
		for key, v := range cm.BinaryData {
			data[key] = v
		}
	} else if !optional {
		return fmt.Errorf("configmap %q not found", name)
	}
	return keysPayload(out, data, items, mode, optional, "configmap references non-existent config key: ")
}

// secretPayload is secret.MakePayload.
func (k *Kubelet) secretPayload(out payload, ns, name string, items []corev1.KeyToPath, mode fs.FileMode, optional bool) error {
	var data map[string][]byte
	if obj, err := k.cfg.Registry.Get(resSecrets, ns, name); err == nil {
		s := obj.(*corev1.Secret)
		data = make(map[string][]byte, len(s.Data)+len(s.StringData))
		for key, v := range s.Data {
			data[key] = v
		}
		for key, v := range s.StringData {
			data[key] = []byte(v)
		}
	} else if !optional {
		return fmt.Errorf("secret %q not found", name)
	}
	return keysPayload(out, data, items, mode, optional, "references non-existent secret key: ")
}

func keysPayload(out payload, data map[string][]byte, items []corev1.KeyToPath, mode fs.FileMode, optional bool, missing string) error {
	if len(items) == 0 {
		for key, v := range data {
			out.put(key, v, mode)
		}
		return nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if optional {
				continue
			}
			return errors.New(missing + it.Key)
		}
		m := mode
		if it.Mode != nil {
			m = fs.FileMode(*it.Mode)
		}
		out.put(path.Clean(it.Path), v, m)
	}
	return nil
}

// downwardPayload is downwardapi.CollectData: each item's fieldRef (the
// pod's metadata) or resourceFieldRef (a container's request or limit).
func (k *Kubelet) downwardPayload(out payload, ps *podState, items []corev1.DownwardAPIVolumeFile, mode fs.FileMode) error {
	var errs []error
	for _, it := range items {
		m := mode
		if it.Mode != nil {
			m = fs.FileMode(*it.Mode)
		}
		var val string
		switch {
		case it.FieldRef != nil:
			v, err := podField(ps.pod, it.FieldRef.FieldPath)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			val = v
		case it.ResourceFieldRef != nil:
			c := containerNamed(ps.pod, it.ResourceFieldRef.ContainerName)
			if c == nil {
				errs = append(errs, fmt.Errorf("failed to find container %q", it.ResourceFieldRef.ContainerName))
				continue
			}
			val = k.resourceValue(c, it.ResourceFieldRef)
		}
		out.put(path.Clean(it.Path), []byte(val), m)
	}
	return aggregate(errs)
}

// podField is fieldpath.ExtractFieldPathAsString for a pod's metadata:
// labels and annotations as sorted key="value" lines.
func podField(p *corev1.Pod, fieldPath string) (string, error) {
	if sub, ok := strings.CutPrefix(fieldPath, "metadata.annotations['"); ok && strings.HasSuffix(sub, "']") {
		return p.Annotations[strings.TrimSuffix(sub, "']")], nil
	}
	if sub, ok := strings.CutPrefix(fieldPath, "metadata.labels['"); ok && strings.HasSuffix(sub, "']") {
		return p.Labels[strings.TrimSuffix(sub, "']")], nil
	}
	switch fieldPath {
	case "metadata.annotations":
		return formatMap(p.Annotations), nil
	case "metadata.labels":
		return formatMap(p.Labels), nil
	case "metadata.name":
		return p.Name, nil
	case "metadata.namespace":
		return p.Namespace, nil
	case "metadata.uid":
		return string(p.UID), nil
	}
	return "", fmt.Errorf("unsupported fieldPath: %v", fieldPath)
}

// formatMap is fieldpath.FormatMap.
func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, key := range keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s=%q", key, m[key])
	}
	return b.String()
}

func containerNamed(p *corev1.Pod, name string) *corev1.Container {
	for i := range p.Spec.Containers {
		if p.Spec.Containers[i].Name == name {
			return &p.Spec.Containers[i]
		}
	}
	for i := range p.Spec.InitContainers {
		if p.Spec.InitContainers[i].Name == name {
			return &p.Spec.InitContainers[i]
		}
	}
	return nil
}

// serviceAccountToken is the projected token. It is a stand-in (a
// JWT-shaped string derived from the pod's UID, not signed by the API
// server) [guess: kubesim issues no service-account tokens yet].
func (k *Kubelet) serviceAccountToken(ps *podState) string {
	sa := ps.pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	enc := base64.RawURLEncoding.EncodeToString
	sum := sha256.Sum256([]byte("kubesim/token/" + string(ps.uid)))
	return enc([]byte(`{"alg":"RS256","kid":"kubesim"}`)) + "." +
		enc([]byte(`{"aud":["https://kubernetes.default.svc.cluster.local"],"iss":"https://kubernetes.default.svc.cluster.local","kubernetes.io":{"namespace":"`+ps.ns+`","pod":{"name":"`+ps.name+`","uid":"`+string(ps.uid)+`"},"serviceaccount":{"name":"`+sa+`"}},"sub":"system:serviceaccount:`+ps.ns+`:`+sa+`"}`)) + "." +
		enc(sum[:])
}
