package layering

import (
	"fmt"
	"path"
	"strings"
)

// Module is the import path of the main module.
const Module = "github.com/netpol-advisor/netpol-advisor"

// Package is what the rules need to know of one package of the module.
type Package struct {
	ImportPath string
	Name       string
	Imports    []string // direct, non-test imports
	Deps       []string // all transitive non-test dependencies
}

// Rule is one constraint of DESIGN.md's layering.
type Rule struct {
	Name  string
	Check func(p Package) []string
}

// Rules are DESIGN.md's layering rules, in the order the document gives them.
var Rules = []Rule{
	{"pure core: policy, flow and API types import only the standard library, k8s.io/api and apimachinery, and do no I/O", checkPure},
	{"only internal/store/... imports Badger", onlyUnder("github.com/dgraph-io/badger", "internal/store")},
	{"only observer/... imports cilium/ebpf", onlyUnder("github.com/cilium/ebpf", "observer")},
	{"the webhook, the read APIs, the CLI and the mismatch evaluation never see Badger or eBPF, not even transitively", checkAdaptersBlind},
	{"test harnesses are imported by tests only", checkTestutilOnlyInTests},
	{"nothing imports cmd/...", checkNoCmdImports},
	{"no package named util, common or helpers", checkPackageNames},
}

func rel(importPath string) string {
	return strings.TrimPrefix(strings.TrimPrefix(importPath, Module), "/")
}

func under(importPath, dir string) bool {
	r := rel(importPath)
	return r == dir || strings.HasPrefix(r, dir+"/")
}

func hasPrefixPath(imp, prefix string) bool {
	return imp == prefix || strings.HasPrefix(imp, prefix+"/")
}

var pureDirs = []string{"internal/policy", "internal/flow", "internal/apis/v1alpha1"}

// blindDirs are the adapters that read baselines only through interfaces:
// the webhooks, the read APIs, the CLI, the page and the mismatch evaluation.
var blindDirs = []string{"webhook", "internal/api", "internal/apiserver", "internal/apis", "internal/cli", "internal/ui", "internal/mismatch"}

// ioPackages are standard packages a pure package must not use.
var ioPackages = []string{"os", "os/exec", "net/http", "io/ioutil", "log", "log/slog", "syscall"}

func checkPure(p Package) []string {
	pure := false
	for _, d := range pureDirs {
		pure = pure || under(p.ImportPath, d)
	}
	if !pure {
		return nil
	}
	var bad []string
	for _, imp := range p.Imports {
		switch {
		case hasPrefixPath(imp, "k8s.io/api"), hasPrefixPath(imp, "k8s.io/apimachinery"):
		case hasPrefixPath(imp, Module+"/internal/flow"), hasPrefixPath(imp, Module+"/internal/policy"):
		case !strings.Contains(strings.Split(imp, "/")[0], "."):
			for _, io := range ioPackages {
				if imp == io {
					bad = append(bad, fmt.Sprintf("%s imports %s (I/O in the pure core)", p.ImportPath, imp))
				}
			}
		default:
			bad = append(bad, fmt.Sprintf("%s imports %s", p.ImportPath, imp))
		}
	}
	return bad
}

func onlyUnder(forbidden, dir string) func(Package) []string {
	return func(p Package) []string {
		if under(p.ImportPath, dir) {
			return nil
		}
		var bad []string
		for _, imp := range p.Imports {
			if hasPrefixPath(imp, forbidden) {
				bad = append(bad, fmt.Sprintf("%s imports %s", p.ImportPath, imp))
			}
		}
		return bad
	}
}

func checkAdaptersBlind(p Package) []string {
	blind := false
	for _, d := range blindDirs {
		blind = blind || under(p.ImportPath, d)
	}
	if !blind {
		return nil
	}
	var bad []string
	for _, dep := range p.Deps {
		if hasPrefixPath(dep, "github.com/dgraph-io/badger") || hasPrefixPath(dep, "github.com/cilium/ebpf") {
			bad = append(bad, fmt.Sprintf("%s depends on %s", p.ImportPath, dep))
		}
	}
	return bad
}

func checkTestutilOnlyInTests(p Package) []string {
	if under(p.ImportPath, "internal/testutil") {
		return nil
	}
	var bad []string
	for _, imp := range p.Imports {
		if hasPrefixPath(imp, Module+"/internal/testutil") {
			bad = append(bad, fmt.Sprintf("%s (non-test code) imports %s", p.ImportPath, imp))
		}
	}
	return bad
}

func checkNoCmdImports(p Package) []string {
	var bad []string
	for _, imp := range p.Imports {
		if hasPrefixPath(imp, Module+"/cmd") {
			bad = append(bad, fmt.Sprintf("%s imports %s", p.ImportPath, imp))
		}
	}
	return bad
}

func checkPackageNames(p Package) []string {
	switch path.Base(p.ImportPath) {
	case "util", "utils", "common", "helpers":
		return []string{fmt.Sprintf("%s: name the package after what it owns", p.ImportPath)}
	}
	return nil
}
