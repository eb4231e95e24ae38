package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"kubesim/runtime/images"
)

// Images a user adds to the cluster (as `kind load docker-image` does):
// ClusterSpec.Images, and those `kubesim image load` adds to a running
// cluster, which are kept in the state directory (images.json) so that a
// restarted cluster still has them.

func loadedImagesFile(dir string) string { return filepath.Join(dir, "images.json") }

// loadedImages are the entries `kubesim image load` added to the cluster
// whose state is in dir.
func loadedImages(dir string) ([]images.RepoEntry, error) {
	b, err := os.ReadFile(loadedImagesFile(dir))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []images.RepoEntry
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", loadedImagesFile(dir), err)
	}
	return out, nil
}

// catalog is the image catalog of the cluster's nodes: the built-in one at
// the catalog date with the spec's and the loaded images.
func (c *Cluster) catalog() (*images.Catalog, error) {
	loaded, err := loadedImages(c.opts.Dir)
	if err != nil {
		return nil, err
	}
	return images.DefaultAt(c.catalogDate()).With(append(append([]images.RepoEntry(nil), c.Spec.Images...), loaded...))
}

// LoadImage adds an image to every node as ref (`kubesim image load ref
// --from FILE`): e's repository becomes ref's and ref's tag exists from the
// catalog's date. The image is kept across restarts. It returns the image
// as the nodes now resolve it. Call it inside Do.
func (c *Cluster) LoadImage(ref string, e images.RepoEntry) (*images.Image, error) {
	cat, err := c.catalog()
	if err != nil {
		return nil, err
	}
	e, err = images.EntryFor(ref, e, cat.Date())
	if err != nil {
		return nil, err
	}
	if cat, err = cat.With([]images.RepoEntry{e}); err != nil {
		return nil, err
	}
	img, err := cat.Resolve(ref)
	if err != nil {
		return nil, err
	}
	loaded, err := loadedImages(c.opts.Dir)
	if err != nil {
		return nil, err
	}
	kept := loaded[:0]
	for _, x := range loaded {
		if x.Repo != e.Repo {
			kept = append(kept, x)
		}
	}
	b, err := json.Marshal(append(kept, e))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(loadedImagesFile(c.opts.Dir), b, 0o600); err != nil {
		return nil, err
	}
	for _, name := range c.nodeOrder {
		k := c.kubelets[name]
		k.Runtime().SetCatalog(cat)
		k.SetCatalog(cat)
	}
	return img, nil
}
