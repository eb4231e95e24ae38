package sim

import (
	"math/rand/v2"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/controllers"
	"kubesim/sim/registry"
)

// bootstrapStorage creates the default StorageClass kind ships
// (kind's manifests/default-storage.yaml): `standard`, provisioned by
// rancher's local-path provisioner on the node the first consumer lands
// on, volumes deleted with their claims. It draws its uid from a stream of
// its own, so the objects created after it keep the uids they had before
// the cluster served storage.
func (c *Cluster) bootstrapStorage() {
	rnd := rand.New(rand.NewPCG(c.Spec.Seed, 0x73746f72))
	c.Registry.WithRand(rnd, func() {
		c.mustCreate("storage.k8s.io", "storageclasses", "", &storagev1.StorageClass{
			ObjectMeta:        metav1.ObjectMeta{Name: "standard", Annotations: map[string]string{registry.IsDefaultClassAnnotation: "true"}},
			Provisioner:       controllers.LocalPathProvisioner,
			ReclaimPolicy:     ptr(corev1.PersistentVolumeReclaimDelete),
			VolumeBindingMode: ptr(storagev1.VolumeBindingWaitForFirstConsumer),
		})
	})
}
