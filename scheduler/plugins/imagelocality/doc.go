// Package imagelocality implements ImageLocality: prefer nodes that already
// have the pod's images, weighted by image size and how widely the image is
// spread (to avoid piling pods on the one node that has it).
//
// Image sizes and spread come from the snapshot; it must not pull or inspect
// images.
package imagelocality
