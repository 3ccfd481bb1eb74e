package cli_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/cli"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil/aggregated"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	storyDir = "../../webhook/testdata/story/"
	storyNS  = "example-java-app"
	javaapp  = "deploy/example-java-app-javaapp"
)

// story is the DESIGN.md story on a real kube-apiserver with the
// aggregation layer: the story's objects, its baseline in a real Badger
// store, the server's advisor (the webhooks' own) behind the aggregated API.
type story struct {
	cp *testutil.ControlPlane
}

func startStory(t *testing.T) *story {
	t.Helper()
	return &story{cp: aggregated.StartStory(t, storyDir)}
}

func (s *story) kubectl(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	out, errOut, err := s.cp.Kubectl(context.Background(), stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// run runs the CLI in-process as the kubeconfig's user.
func (s *story) run(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := cli.NewCommand(cli.Options{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, Version: "test"})
	cmd.SetArgs(append(args, "--kubeconfig", s.cp.Kubeconfig))
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func (s *story) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := s.run(t, "", args...)
	if err != nil {
		t.Fatalf("netpol-advisor %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func TestStory(t *testing.T) {
	s := startStory(t)
	golden := []struct {
		name, file string
		args       []string
	}{
		{"baseline table", "baseline.golden.txt", []string{"baseline", javaapp, "-n", storyNS}},
		{"baseline yaml", "baseline.golden.yaml", []string{"baseline", javaapp, "-n", storyNS, "-o", "yaml"}},
		{"baseline json", "baseline.golden.json", []string{"baseline", javaapp, "-n", storyNS, "-o", "json"}},
		{"topology json", "topology.golden.json", []string{"topology", javaapp, "-n", storyNS, "-o", "json"}},
		{"topology text", "topology.golden.txt", []string{"topology", javaapp, "-n", storyNS}},
		{"topology dot", "topology.golden.dot", []string{"topology", javaapp, "-n", storyNS, "-o", "dot"}},
		{"topology mermaid", "topology.golden.mmd", []string{"topology", javaapp, "-n", storyNS, "-o", "mermaid"}},
		{"generate", "generate.golden.yaml", []string{"generate", javaapp, "-n", storyNS}},
		{"generate json", "generate.golden.json", []string{"generate", javaapp, "-n", storyNS, "-o", "json"}},
	}
	for _, g := range golden {
		t.Run(g.name, func(t *testing.T) { checkGolden(t, g.file, s.mustRun(t, g.args...)) })
	}
	t.Run("the topology names every peer and marks the external one", func(t *testing.T) {
		out := s.mustRun(t, "topology", javaapp, "-n", storyNS, "-o", "dot")
		for _, peer := range []string{"example-java-app-jclient", "example-java-app-mongo", "example-java-app-redis",
			"example-java-app-cassandra", "kube-system/coredns", `external 203.0.113.7", color="red"`} {
			if !strings.Contains(out, peer) {
				t.Errorf("topology lacks %s:\n%s", peer, out)
			}
		}
	})
	t.Run("the SVG parses and shows every peer", func(t *testing.T) {
		out := s.mustRun(t, "topology", javaapp, "-n", storyNS, "-o", "svg")
		var doc struct {
			XMLName xml.Name
			Texts   []string `xml:"g>g>text"`
		}
		if err := xml.Unmarshal([]byte(out), &doc); err != nil || doc.XMLName.Local != "svg" {
			t.Fatalf("not an SVG document (%v):\n%.300s", err, out)
		}
		text := strings.Join(doc.Texts, "\n")
		for _, peer := range []string{"example-java-app-jclient", "example-java-app-mongo", "example-java-app-redis",
			"example-java-app-cassandra", "kube-system/coredns", "external 203.0.113.7", "27017/TCP", "53/UDP"} {
			if !strings.Contains(text, peer) {
				t.Errorf("the SVG's text lacks %s:\n%s", peer, text)
			}
		}
	})
	t.Run("check fails the hand-written policy, naming the pitfalls", func(t *testing.T) {
		out, _, err := s.run(t, "", "check", "-f", storyDir+"handwritten.yaml")
		if !errors.Is(err, cli.ErrBlocks) {
			t.Fatalf("check of the hand-written policy: err %v, want ErrBlocks\n%s", err, out)
		}
		checkGolden(t, "check-handwritten.golden.txt", out)
		out, _, err = s.run(t, "", "check", "-f", storyDir+"handwritten.yaml", "-o", "json")
		if !errors.Is(err, cli.ErrBlocks) {
			t.Fatalf("check -o json: err %v, want ErrBlocks", err)
		}
		checkGolden(t, "check-handwritten.golden.json", out)
	})
	t.Run("check works offline against an exported baseline", func(t *testing.T) {
		export := filepath.Join(t.TempDir(), "baselines.yaml")
		testutil.WriteFile(t, export, []byte(s.mustRun(t, "baseline", "-n", storyNS, "-o", "yaml")))
		var out, errOut bytes.Buffer
		cmd := cli.NewCommand(cli.Options{Out: &out, ErrOut: &errOut})
		// No cluster: a kubeconfig that points nowhere.
		cmd.SetArgs([]string{"check", "-f", storyDir + "handwritten.yaml", "--baseline", export, "--kubeconfig", filepath.Join(t.TempDir(), "none")})
		if err := cmd.ExecuteContext(context.Background()); !errors.Is(err, cli.ErrBlocks) {
			raw, _ := os.ReadFile(export)
			t.Fatalf("offline check: err %v, want ErrBlocks\n%s%s\n%.2000s", err, out.String(), errOut.String(), raw)
		}
		checkGolden(t, "check-handwritten.golden.txt", out.String())
	})
	adjusted := []string{"generate", javaapp, "-n", storyNS, "--allow-cidr", "203.0.113.7/32=external-mongodb",
		"--exclude", "deploy/example-java-app-cassandra"}
	var fixed string
	t.Run("generate with the user's adjustments is the fixed policy", func(t *testing.T) {
		fixed = s.mustRun(t, adjusted...)
		assertPolicy(t, "../policy/testdata/story/recommended.golden.yaml", fixed)
	})
	t.Run("--save stores the adjustments where the webhook reads them", func(t *testing.T) {
		s.mustRun(t, append(adjusted, "--save")...)
		ann := s.kubectl(t, nil, "get", "deploy", "-n", storyNS, "example-java-app-javaapp",
			"-o", `jsonpath={.metadata.annotations.netpol-advisor\.io/adjustments}`)
		var want map[string]any
		readYAML(t, storyDir+"adjustments.yaml", &want)
		var got map[string]any
		if err := yaml.Unmarshal([]byte(ann), &got); err != nil {
			t.Fatalf("saved annotation %q: %v", ann, err)
		}
		want["exclude"].([]any)[0].(map[string]any)["workload"].(map[string]any)["namespace"] = storyNS
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("saved adjustments (-want +got):\n%s", diff)
		}
		waitFor(t, "generate to use the saved adjustments", func() bool {
			out, _, err := s.run(t, "", "generate", javaapp, "-n", storyNS)
			return err == nil && samePolicy(t, "../policy/testdata/story/recommended.golden.yaml", out)
		})
	})
	t.Run("check passes the fixed policy once cassandra's exclusion is stored", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "recommended.yaml")
		testutil.WriteFile(t, file, []byte(fixed))
		out := s.mustRun(t, "check", "-f", file) // exit status 0
		checkGolden(t, "check-fixed.golden.txt", out)
	})
	t.Run("explain names the policy and rule of an allowed and of a blocked connection", func(t *testing.T) {
		s.kubectl(t, nil, "apply", "-f", storyDir+"handwritten.yaml")
		var last string
		waitFor(t, "the server to see the hand-written policy", func() bool {
			out, _, err := s.run(t, "", "explain", "deploy/example-java-app-javaapp", "-n", storyNS,
				"--to", "deploy/example-java-app-cassandra", "--port", "9042")
			last = fmt.Sprint(out, err)
			return err == nil && strings.Contains(out, "is blocked")
		}, &last)
		checkGolden(t, "explain-allowed.golden.txt", s.mustRun(t, "explain", "deploy/example-java-app-jclient", "-n", storyNS,
			"--to", "deploy/example-java-app-javaapp", "--port", "8080"))
		checkGolden(t, "explain-blocked.golden.txt", s.mustRun(t, "explain", "deploy/example-java-app-javaapp", "-n", storyNS,
			"--to", "deploy/example-java-app-cassandra", "--port", "9042"))
		checkGolden(t, "explain-blocked.golden.yaml", s.mustRun(t, "explain", "deploy/example-java-app-javaapp", "-n", storyNS,
			"--to", "deploy/example-java-app-cassandra", "--port", "9042", "-o", "yaml"))
		checkGolden(t, "explain-external.golden.txt", s.mustRun(t, "explain", "deploy/example-java-app-javaapp", "-n", storyNS,
			"--to", "203.0.113.7", "--port", "27017"))
	})
	t.Run("as a kubectl plugin", func(t *testing.T) { s.plugin(t) })
	t.Run("errors say what to do", func(t *testing.T) {
		_, _, err := s.run(t, "", "baseline", "deploy/nope", "-n", storyNS)
		if err == nil || !strings.Contains(err.Error(), "kubectl get baselines -n example-java-app") {
			t.Errorf("unknown workload: %v", err)
		}
		_, _, err = s.run(t, "", "generate", "frobnicator/x", "-n", storyNS)
		if err == nil || !strings.Contains(err.Error(), "want kind/name") {
			t.Errorf("bad kind: %v", err)
		}
		s.kubectl(t, nil, "delete", "apiservice", "v1alpha1.netpol-advisor.io")
		waitFor(t, "the API to be gone", func() bool {
			_, _, err := s.run(t, "", "baseline", javaapp, "-n", storyNS)
			return err != nil && strings.Contains(err.Error(), "is netpol-advisor installed")
		})
	})
}

// plugin runs the real binary through kubectl's plugin mechanism.
func (s *story) plugin(t *testing.T) {
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "kubectl-netpol_advisor"), "../../cmd/netpol-advisor")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the plugin: %v\n%s", err, out)
	}
	cmd := testutil.KubectlCommand(context.Background(), "netpol-advisor", "generate", javaapp, "-n", storyNS, "--kubeconfig", s.cp.Kubeconfig)
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl netpol-advisor generate: %v\n%s", err, stderr.String())
	}
	if !samePolicy(t, "../policy/testdata/story/recommended.golden.yaml", string(out)) {
		t.Errorf("the plugin's recommendation differs from the fixed policy:\n%s", out)
	}
}

func assertPolicy(t *testing.T, wantFile, got string) {
	t.Helper()
	if !samePolicy(t, wantFile, got) {
		want, _ := os.ReadFile(wantFile)
		t.Errorf("policy differs from %s:\n--- want\n%s\n--- got\n%s", wantFile, want, got)
	}
}

// samePolicy compares policies by meaning: metadata that the API server
// would set is ignored.
func samePolicy(t *testing.T, wantFile, got string) bool {
	t.Helper()
	var want, have networkingv1.NetworkPolicy
	readYAML(t, wantFile, &want)
	if err := yaml.Unmarshal([]byte(got), &have); err != nil {
		return false
	}
	have.CreationTimestamp, want.CreationTimestamp = metav1.Time{}, metav1.Time{}
	return cmp.Equal(want, have)
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		testutil.WriteFile(t, path, []byte(got))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

// waitFor polls ok until it holds; last, when given, is what the last try
// saw, for the failure message.
func waitFor(t *testing.T, what string, ok func() bool, last ...*string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			if len(last) > 0 {
				t.Fatalf("timed out waiting for %s; last: %s", what, *last[0])
			}
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
