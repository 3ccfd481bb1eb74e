package demo

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// Story is one application's demo/apps/<app>/story.yaml.
type Story struct {
	Title     string `json:"title"`
	Namespace string `json:"namespace"`
	// Workload is the one the story is about, as kubectl names it:
	// deployment/example-java-app-javaapp.
	Workload      string         `json:"workload"`
	Policy        string         `json:"policy"`
	ExternalHosts []ExternalHost `json:"externalHosts"`
	Adjustments   Adjustments    `json:"adjustments"`
	Expect        Expect         `json:"expect"`
	// Dir is the app's folder, Name its base name.
	Dir  string `json:"-"`
	Name string `json:"-"`
}

// ExternalHost is an "external" test host on the cluster bridge.
type ExternalHost struct {
	Name    string   `json:"name"`
	Address string   `json:"address"`
	Serve   []string `json:"serve"` // netcheck -listen values: tcp:27017
}

// Adjustments are the user's decisions, as the CLI's generate takes them.
type Adjustments struct {
	AllowCIDRs []string `json:"allowCIDRs"` // CIDR=alias
	Exclude    []string `json:"exclude"`    // kind/name
}

// Expect is what the story must show.
type Expect struct {
	// Peers: "DIRECTION PEER PORT/PROTOCOL", PEER as the baseline names it.
	Peers []string `json:"peers"`
	// Warnings: one substring per Warning line of kubectl apply.
	Warnings []string `json:"warnings"`
	// Failing: the workload's talk targets that fail under the policy.
	Failing []string `json:"failing"`
	// StillFailing: those of Failing the user deliberately dropped, so
	// that they keep failing after the fix.
	StillFailing []string `json:"stillFailing"`
}

// externalRange is the only range external test hosts may use (DESIGN.md).
var externalRange = netip.MustParsePrefix("203.0.113.0/28")

// LoadStory reads and checks dir/story.yaml.
func LoadStory(dir string) (*Story, error) {
	path := filepath.Join(dir, "story.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the app's story: %w", err)
	}
	s := &Story{Dir: dir, Name: filepath.Base(dir)}
	if err := yaml.UnmarshalStrict(data, s); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func (s *Story) validate() error {
	var errs []error
	if s.Namespace == "" || s.Policy == "" || len(s.Expect.Peers) == 0 {
		errs = append(errs, errors.New("namespace, policy and expect.peers are required"))
	}
	if kind, name, ok := strings.Cut(s.Workload, "/"); !ok || kind == "" || name == "" {
		errs = append(errs, fmt.Errorf("workload %q: want KIND/NAME, e.g. deployment/web", s.Workload))
	}
	if _, err := os.Stat(filepath.Join(s.Dir, s.Policy)); err != nil {
		errs = append(errs, fmt.Errorf("policy: %w", err))
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "manifests")); err != nil {
		errs = append(errs, fmt.Errorf("the app's manifests: %w", err))
	}
	for _, h := range s.ExternalHosts {
		if h.Name == "" || len(h.Name) > 11 {
			errs = append(errs, fmt.Errorf("external host %q: give a name of 1-11 characters (it names a network interface)", h.Name))
		}
		a, err := netip.ParseAddr(h.Address)
		if err != nil || !externalRange.Contains(a) || a.As4()[3] < 2 || a.As4()[3] > 14 {
			errs = append(errs, fmt.Errorf("external host %s: address %q must be one of 203.0.113.2-14 (%s; .1 is the bridge)", h.Name, h.Address, externalRange))
		}
	}
	return errors.Join(errs...)
}

// WorkloadName is the name part of Workload.
func (s *Story) WorkloadName() string {
	_, name, _ := strings.Cut(s.Workload, "/")
	return name
}
