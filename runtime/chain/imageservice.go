package chain

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sort"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/cost"
	"kubesim/runtime/images"
)

// addImage records a pulled image under its reference; several tags of one
// image share its ID.
func (c *Chain) addImage(img *images.Image) {
	if c.images[img.ID] == nil {
		c.images[img.ID] = img
	}
	for _, t := range c.tags[img.ID] {
		if t == img.Ref {
			return
		}
	}
	c.tags[img.ID] = append(c.tags[img.ID], img.Ref)
	sort.Strings(c.tags[img.ID])
}

// findImage finds a pulled image by reference, ID or repo digest.
func (c *Chain) findImage(ref string) (*images.Image, error) {
	if img := c.images[ref]; img != nil {
		return img, nil
	}
	canon := ""
	if repo, tag, err := images.Normalize(ref); err == nil {
		canon = repo + ":" + tag
	}
	for _, id := range slices.Sorted(maps.Keys(c.images)) {
		img := c.images[id]
		if img.RepoDigest() == ref {
			return img, nil
		}
		for _, t := range c.tags[id] {
			if t == canon {
				// The image as that tag names it.
				if t == img.Ref {
					return img, nil
				}
				if tagged, err := c.cat.Resolve(ref); err == nil && tagged.ID == id {
					return tagged, nil
				}
				return img, nil
			}
		}
	}
	return nil, notFound("failed to get image %q: image not found", ref)
}

func (s *imageService) PullImage(_ context.Context, req *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	c := s.c
	defer c.call("PullImage", 0)()
	req = wire(req)
	ref := req.GetImage().GetImage()
	img, err := c.cat.Resolve(ref)
	if err != nil {
		c.front.read("PullImage", req, 0)
		return nil, c.pullError(err)
	}
	if _, err := c.findImage(img.Ref); err != nil {
		if err := c.front.pullImage(req, img); err != nil {
			return nil, runtimeErr(err)
		}
	}
	c.addImage(img)
	return wire(&runtimeapi.PullImageResponse{ImageRef: img.ID}), nil
}

// imageRef is ContainerStatus.ImageRef, which the kubelet shows as the
// container's imageID: dockershim gives "docker-pullable://" + Docker's repo
// digest (short name), containerd and CRI-O the canonical repo digest.
func (c *Chain) imageRef(img *images.Image) string {
	switch c.cfg.Kind {
	case Docker, CRIDockerd:
		return "docker-pullable://" + dockerShortName(img.Repo) + "@" + img.Digest
	default:
		return img.RepoDigest()
	}
}

// pullError words a failed pull as each runtime does.
//   - containerd: images.PullError (events-and-messages.md §2.3, real clusters).
//   - dockerd (dockershim, cri-dockerd): "Error response from daemon: …"
//     [guess: Docker's well-known texts, not in the reference sheets].
//   - CRI-O: containers/image wording [guess].
func (c *Chain) pullError(err error) error {
	var pe *images.PullError
	if !errors.As(err, &pe) {
		return runtimeErr(err)
	}
	switch c.cfg.Kind {
	case Docker, CRIDockerd:
		short := dockerShortName(pe.Repo)
		if pe.Reason == images.TagNotFound {
			return status.Errorf(codes.Unknown, "Error response from daemon: manifest for %s:%s not found: manifest unknown: manifest unknown", short, pe.Tag)
		}
		return status.Errorf(codes.Unknown, "Error response from daemon: pull access denied for %s, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", short)
	case CRIO:
		if pe.Reason == images.TagNotFound {
			return status.Errorf(codes.Unknown, "reading manifest %s in %s: manifest unknown", pe.Tag, pe.Repo)
		}
		return status.Errorf(codes.Unknown, "reading manifest %s in %s: requested access to the resource is denied", pe.Tag, pe.Repo)
	default:
		return status.Error(codes.NotFound, pe.Desc())
	}
}

func dockerShortName(repo string) string {
	const lib = "docker.io/library/"
	if len(repo) > len(lib) && repo[:len(lib)] == lib {
		return repo[len(lib):]
	}
	if len(repo) > 10 && repo[:10] == "docker.io/" {
		return repo[10:]
	}
	return repo
}

func (s *imageService) ListImages(_ context.Context, req *runtimeapi.ListImagesRequest) (*runtimeapi.ListImagesResponse, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kubelet("ListImages", len(c.images))
	c.front.read("ListImages", wire(req), len(c.images))
	var out []*runtimeapi.Image
	for _, id := range slices.Sorted(maps.Keys(c.images)) {
		out = append(out, c.criImage(c.images[id]))
	}
	return wire(&runtimeapi.ListImagesResponse{Images: out}), nil
}

func (c *Chain) criImage(img *images.Image) *runtimeapi.Image {
	tags := append([]string(nil), c.tags[img.ID]...)
	return &runtimeapi.Image{Id: img.ID, RepoTags: tags, RepoDigests: []string{img.RepoDigest()}, Size: uint64(img.Size), Spec: &runtimeapi.ImageSpec{Image: img.Ref}}
}

func (s *imageService) ImageStatus(_ context.Context, req *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	c := s.c
	defer c.call("ImageStatus", 0)()
	req = wire(req)
	c.front.read("ImageStatus", req, 1)
	img, err := c.findImage(req.GetImage().GetImage())
	if err != nil {
		return &runtimeapi.ImageStatusResponse{}, nil // absent image: empty status, no error (CRI contract)
	}
	return wire(&runtimeapi.ImageStatusResponse{Image: c.criImage(img)}), nil
}

func (s *imageService) RemoveImage(_ context.Context, req *runtimeapi.RemoveImageRequest) (*runtimeapi.RemoveImageResponse, error) {
	c := s.c
	defer c.call("RemoveImage", 0)()
	req = wire(req)
	c.front.read("RemoveImage", req, 0)
	if img, err := c.findImage(req.GetImage().GetImage()); err == nil {
		delete(c.images, img.ID)
		delete(c.tags, img.ID)
	}
	return &runtimeapi.RemoveImageResponse{}, nil
}

func (s *imageService) ImageFsInfo(_ context.Context, req *runtimeapi.ImageFsInfoRequest) (*runtimeapi.ImageFsInfoResponse, error) {
	c := s.c
	defer c.call("ImageFsInfo", 0)()
	c.front.read("ImageFsInfo", wire(req), 0)
	var used uint64
	for _, img := range c.images {
		used += uint64(img.Size)
	}
	mount := map[Kind]string{
		Docker: "/var/lib/docker", CRIDockerd: "/var/lib/docker",
		Containerd: "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs", CRIO: "/var/lib/containers/storage/overlay-images",
	}[c.cfg.Kind]
	return &runtimeapi.ImageFsInfoResponse{ImageFilesystems: []*runtimeapi.FilesystemUsage{{
		Timestamp:  c.now().UnixNano(),
		FsId:       &runtimeapi.FilesystemIdentifier{Mountpoint: mount},
		UsedBytes:  &runtimeapi.UInt64Value{Value: used},
		InodesUsed: &runtimeapi.UInt64Value{Value: uint64(len(c.images)) * 1000},
	}}}, nil
}

// pullIn is PullImage in a CRI server that pulls the image itself
// (containerd, CRI-O): the request's hop, then the transfer.
func (c *Chain) pullIn(server string, req *runtimeapi.PullImageRequest, img *images.Image) error {
	c.enter(hopKubelet, server, "PullImage", req, 0)
	c.pullCost(img)
	return nil
}

// pullCost charges the modelled transfer of an image pull; an image already
// present under another tag costs only the manifest round trip.
func (c *Chain) pullCost(img *images.Image) {
	if c.images[img.ID] != nil {
		c.wait(cost.PullTime(0))
		return
	}
	c.wait(cost.PullTime(img.Size))
}
