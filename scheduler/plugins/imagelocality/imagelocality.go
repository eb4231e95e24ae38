package imagelocality

import (
	"strings"

	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
)

// Name is the plugin name.
const Name = "ImageLocality"

// Thresholds from upstream image_locality.go.
const (
	mb                    int64 = 1024 * 1024
	minThreshold          int64 = 23 * mb
	maxContainerThreshold int64 = 1000 * mb
)

// ImageLocality is the plugin.
type ImageLocality struct{ h framework.Handle }

// New is the factory.
func New(_ any, h framework.Handle) (framework.Plugin, error) { return &ImageLocality{h: h}, nil }

// Name returns the plugin name.
func (*ImageLocality) Name() string { return Name }

const preScoreKey framework.StateKey = "PreScore" + Name

type preScoreState struct {
	images     []string
	totalNodes int
}

func (s *preScoreState) Clone() framework.StateData { return s }

// NormalizedImageName adds ":latest" to an image without tag or digest.
func NormalizedImageName(name string) string {
	if strings.LastIndex(name, ":") <= strings.LastIndex(name, "/") {
		name += ":latest"
	}
	return name
}

// PreScore normalises the image names once. When no feasible node has any
// of the images every score would be 0, so the plugin skips (the choice of
// node is the same as scoring zeros).
func (pl *ImageLocality) PreScore(state *framework.CycleState, pod *v1.Pod, nodes []*framework.NodeInfo) *framework.Status {
	var buf [4]string
	images := buf[:0]
	for _, c := range pod.Spec.InitContainers {
		images = append(images, NormalizedImageName(c.Image))
	}
	for _, c := range pod.Spec.Containers {
		images = append(images, NormalizedImageName(c.Image))
	}
	present := false
	if il, ok := pl.h.Snapshot().(framework.ImageLister); ok {
		// No node anywhere has the images: no feasible node has them.
		anywhere := false
		for _, img := range images {
			if il.NodesWithImage(img) > 0 {
				anywhere = true
				break
			}
		}
		if !anywhere {
			return framework.SkipStatus
		}
	}
	for _, ni := range nodes {
		if len(ni.ImageStates) == 0 {
			continue
		}
		for _, img := range images {
			if _, ok := ni.ImageStates[img]; ok {
				present = true
				break
			}
		}
		if present {
			break
		}
	}
	if !present {
		return framework.SkipStatus
	}
	state.Write(preScoreKey, &preScoreState{totalNodes: len(pl.h.Snapshot().List()), images: append([]string(nil), images...)})
	return nil
}

// Score scales the summed, spread-weighted image sizes between 23 MB and
// 1000 MB per container to [0,100].
func (pl *ImageLocality) Score(state *framework.CycleState, _ *v1.Pod, ni *framework.NodeInfo) (int64, *framework.Status) {
	d, err := state.Read(preScoreKey)
	if err != nil {
		return 0, framework.AsStatus(err)
	}
	s := d.(*preScoreState)
	var sum int64
	if len(ni.ImageStates) > 0 && s.totalNodes > 0 {
		for _, img := range s.images {
			if st, ok := ni.ImageStates[img]; ok {
				spread := float64(st.NumNodes) / float64(s.totalNodes)
				sum += int64(float64(st.Size) * spread)
			}
		}
	}
	return calculatePriority(sum, len(s.images)), nil
}

func calculatePriority(sum int64, numContainers int) int64 {
	maxThreshold := maxContainerThreshold * int64(numContainers)
	if sum < minThreshold {
		sum = minThreshold
	} else if sum > maxThreshold {
		sum = maxThreshold
	}
	if maxThreshold == minThreshold {
		return 0
	}
	return framework.MaxNodeScore * (sum - minThreshold) / (maxThreshold - minThreshold)
}
