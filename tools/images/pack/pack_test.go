package pack

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bin")
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// readBack loads the tarball the way an importer would and lists its files.
func readBack(t *testing.T, path, ref string) (map[string]string, []string, string) {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := tarball.ImageFromPath(path, &tag)
	if err != nil {
		t.Fatalf("read image tarball: %v", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	tr := tar.NewReader(mutate.Extract(img))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		files[hdr.Name] = string(data)
	}
	return files, cfg.Config.Entrypoint, cfg.OS + "/" + cfg.Architecture
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name      string
		dest      string
		wantFiles map[string]string
	}{
		{name: "at the root", dest: "/netcheck", wantFiles: map[string]string{"netcheck": "ELF"}},
		{name: "nested", dest: "/usr/bin/netcheck", wantFiles: map[string]string{"usr": "", "usr/bin": "", "usr/bin/netcheck": "ELF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "image.tar")
			spec := Spec{Ref: "netpol-advisor.local/netcheck:dev", Files: []File{{Source: writeFile(t, "ELF"), Dest: tt.dest}}, Entrypoint: []string{tt.dest, "serve"}}
			if err := Write(out, spec); err != nil {
				t.Fatal(err)
			}
			files, entry, platform := readBack(t, out, spec.Ref)
			if diff := cmp.Diff(tt.wantFiles, files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(spec.Entrypoint, entry); diff != "" {
				t.Errorf("entrypoint (-want +got):\n%s", diff)
			}
			if want := "linux/" + runtime.GOARCH; platform != want {
				t.Errorf("platform = %s, want %s", platform, want)
			}
		})
	}
}

func TestImageIsReproducible(t *testing.T) {
	spec := Spec{Ref: "netpol-advisor.local/pause:v1", Files: []File{{Source: writeFile(t, "pause"), Dest: "/pause"}}, Entrypoint: []string{"/pause"}}
	digests := map[string]bool{}
	for range 2 {
		img, err := Image(spec)
		if err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		digests[d.String()] = true
	}
	if len(digests) != 1 {
		t.Errorf("two builds of the same files gave digests %v", digests)
	}
}

func TestWriteRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
	}{
		{name: "bad reference", spec: Spec{Ref: "Not A Ref", Files: []File{{Source: writeFile(t, "x"), Dest: "/x"}}}},
		{name: "missing file", spec: Spec{Ref: "netpol-advisor.local/x:v1", Files: []File{{Source: "/nonexistent/x", Dest: "/x"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Write(filepath.Join(t.TempDir(), "x.tar"), tt.spec); err == nil {
				t.Error("Write succeeded, want an error")
			}
		})
	}
}

// The product's images run as the user and carry the labels given.
func TestImageConfigUserAndLabels(t *testing.T) {
	labels := map[string]string{"org.opencontainers.image.version": "v1.2.3", "org.opencontainers.image.source": "https://example.invalid/src"}
	spec := Spec{Ref: "netpol-advisor.local/server:dev", Files: []File{{Source: writeFile(t, "ELF"), Dest: "/server"}},
		Entrypoint: []string{"/server"}, User: "65532:65532", Labels: labels}
	img, err := Image(spec)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "65532:65532" {
		t.Errorf("user = %q, want 65532:65532", cfg.Config.User)
	}
	if diff := cmp.Diff(labels, cfg.Config.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}
