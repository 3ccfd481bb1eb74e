package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"testing"
)

// TestLayering checks every package of the module against the rules.
func TestLayering(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 3 {
		t.Fatalf("go list found only %d packages: the check would prove nothing", len(pkgs))
	}
	for _, r := range Rules {
		t.Run(r.Name, func(t *testing.T) {
			for _, p := range pkgs {
				for _, v := range r.Check(p) {
					t.Error(v)
				}
			}
		})
	}
}

func listPackages(t *testing.T) []Package {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Name,Imports,Deps", Module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
}

// TestRulesCatchViolations feeds made-up packages to the rules, so a rule
// that silently stopped matching would fail here.
func TestRulesCatchViolations(t *testing.T) {
	tests := []struct {
		name string
		pkg  Package
		want int
	}{
		{"policy importing client-go", Package{ImportPath: Module + "/internal/policy", Imports: []string{"k8s.io/client-go/kubernetes"}}, 1},
		{"policy doing I/O", Package{ImportPath: Module + "/internal/policy", Imports: []string{"os"}}, 1},
		{"policy with allowed imports", Package{ImportPath: Module + "/internal/policy", Imports: []string{"sort", "k8s.io/api/networking/v1", "k8s.io/apimachinery/pkg/labels", Module + "/internal/flow"}}, 0},
		{"webhook importing badger", Package{ImportPath: Module + "/webhook", Imports: []string{"github.com/dgraph-io/badger/v4"}}, 1},
		{"store importing badger", Package{ImportPath: Module + "/internal/store/badgerstore", Imports: []string{"github.com/dgraph-io/badger/v4"}}, 0},
		{"resolve importing ebpf", Package{ImportPath: Module + "/internal/resolve", Imports: []string{"github.com/cilium/ebpf"}}, 1},
		{"webhook depending on badger transitively", Package{ImportPath: Module + "/webhook/admission", Deps: []string{"github.com/dgraph-io/badger/v4/y"}}, 1},
		{"mismatch depending on badger transitively", Package{ImportPath: Module + "/internal/mismatch", Deps: []string{"github.com/dgraph-io/badger/v4/y"}}, 1},
		{"product importing testutil", Package{ImportPath: Module + "/internal/agent", Imports: []string{Module + "/internal/testutil"}}, 1},
		{"importing cmd", Package{ImportPath: Module + "/webhook", Imports: []string{Module + "/cmd/server"}}, 1},
		{"aggregated API depending on badger", Package{ImportPath: Module + "/internal/apiserver", Deps: []string{"github.com/dgraph-io/badger/v4"}}, 1},
		{"API types importing client-go", Package{ImportPath: Module + "/internal/apis/v1alpha1", Imports: []string{"k8s.io/client-go/rest"}}, 1},
		{"CLI depending on ebpf", Package{ImportPath: Module + "/internal/cli", Deps: []string{"github.com/cilium/ebpf"}}, 1},
		{"package named util", Package{ImportPath: Module + "/internal/util"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := 0
			for _, r := range Rules {
				got += len(r.Check(tt.pkg))
			}
			if got != tt.want {
				t.Fatalf("violations = %d, want %d", got, tt.want)
			}
		})
	}
}
