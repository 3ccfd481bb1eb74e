package pack

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// File is one file of the image: Source on disk, Dest its absolute path in
// the image.
type File struct {
	Source string
	Dest   string
}

// Spec says what goes into an image.
type Spec struct {
	Ref        string   // e.g. netpol-advisor.local/netcheck:dev
	Files      []File   // copied with mode 0755, owned by root
	Entrypoint []string // the image's ENTRYPOINT
	// User is the image's USER ("65532:65532"; empty: root).
	User string
	// Labels are the image's labels (org.opencontainers.image.version, ...).
	Labels map[string]string
}

// Image builds the image: one layer holding Files on an empty base, for the
// machine's OS and architecture, with fixed timestamps so the same inputs
// give the same digest.
func Image(spec Spec) (v1.Image, error) {
	layerTar, err := layerBytes(spec.Files)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	})
	if err != nil {
		return nil, fmt.Errorf("make layer: %w", err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, fmt.Errorf("append layer: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", runtime.GOARCH
	cfg.Config.Entrypoint = spec.Entrypoint
	cfg.Config.User = spec.User
	cfg.Config.Labels = spec.Labels
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("set config: %w", err)
	}
	return img, nil
}

// Write builds the image and writes it to path as an image tarball tagged
// spec.Ref.
func Write(path string, spec Spec) error {
	tag, err := name.NewTag(spec.Ref)
	if err != nil {
		return fmt.Errorf("parse image reference %q: %w", spec.Ref, err)
	}
	img, err := Image(spec)
	if err != nil {
		return fmt.Errorf("build image %s: %w", spec.Ref, err)
	}
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		return fmt.Errorf("write image %s to %s: %w", spec.Ref, path, err)
	}
	return nil
}

// layerBytes is the layer's tar: the parent directories, then each file.
func layerBytes(files []File) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, dir := range parentDirs(files) {
		hdr := &tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("add directory %s: %w", dir, err)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f.Source)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Source, err)
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(f.Dest, "/"), Mode: 0o755, Size: int64(len(data))}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("add %s: %w", f.Dest, err)
		}
		if _, err := tw.Write(data); err != nil {
			return nil, fmt.Errorf("add %s: %w", f.Dest, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("close layer: %w", err)
	}
	return buf.Bytes(), nil
}

func parentDirs(files []File) []string {
	seen := map[string]bool{}
	for _, f := range files {
		for dir := path.Dir(strings.TrimPrefix(f.Dest, "/")); dir != "." && dir != "/"; dir = path.Dir(dir) {
			seen[dir] = true
		}
	}
	dirs := make([]string, 0, len(seen))
	for d := range seen {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs) // parents sort before their children
	return dirs
}
