package policy

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// confCase is one upstream e2e case (testdata/conformance/README.md).
type confCase struct {
	Name      string            `json:"name"`
	Source    string            `json:"source"`
	Pods      []string          `json:"pods"`
	Ports     []int32           `json:"ports"`
	Protocols []corev1.Protocol `json:"protocols"`
	Steps     []confStep        `json:"steps"`
}

type confStep struct {
	Policies        []networkingv1.NetworkPolicy `json:"policies"`
	NamespaceLabels map[string]map[string]string `json:"namespaceLabels"`
	PodLabels       map[string]map[string]string `json:"podLabels"`
	Probes          []confProbe                  `json:"probes"`
}

type confProbe struct {
	Port     int32             `json:"port"`
	Protocol corev1.Protocol   `json:"protocol"`
	Default  bool              `json:"default"`
	Expect   []confExpectation `json:"expect"`
}

// confExpectation is one Reachability call: [from, to, connected].
type confExpectation struct {
	From, To  string
	Connected bool
}

func (e *confExpectation) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) != 3 {
		return fmt.Errorf("expectation %s: want [from, to, connected]", b)
	}
	return cmpErr(json.Unmarshal(raw[0], &e.From), json.Unmarshal(raw[1], &e.To), json.Unmarshal(raw[2], &e.Connected))
}

func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// peerPatternMatches is upstream's Peer.Matches on "*", "x/*" and "x/a".
func peerPatternMatches(pattern, pod string) bool {
	if pattern == "*" || pattern == pod {
		return true
	}
	ns, name, _ := strings.Cut(pattern, "/")
	podNS, _, _ := strings.Cut(pod, "/")
	return name == "*" && ns == podNS
}

func loadConformance(t *testing.T) []confCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "conformance", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance cases: %v", err)
	}
	var all []confCase
	for _, f := range files {
		var cases []confCase
		readYAML(t, filepath.Join("conformance", filepath.Base(f)), &cases)
		all = append(all, cases...)
	}
	return all
}

// TestConformance runs the 49 upstream e2e reachability cases through
// Evaluate.
func TestConformance(t *testing.T) {
	cases := loadConformance(t)
	if len(cases) != 49 {
		t.Errorf("loaded %d cases, upstream has 49", len(cases))
	}
	var golden strings.Builder
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			for si, step := range c.Steps {
				pods := c.world(step)
				ev := NewEvaluator(step.Policies, c.namespaces(step))
				for _, p := range step.Probes {
					want := p.expected(c.Pods)
					fmt.Fprintf(&golden, "## %s (%s) step %d, %s/%d\n%s\n", c.Name, c.Source, si+1, p.Protocol, p.Port, renderMatrix(c.Pods, want))
					got := observe(ev, c.Pods, pods, p)
					if !matricesEqual(c.Pods, want, got) {
						t.Errorf("step %d, %s/%d:\nexpected:\n%s\nEvaluate:\n%s", si+1, p.Protocol, p.Port, renderMatrix(c.Pods, want), renderMatrix(c.Pods, got))
					}
				}
			}
		})
	}
	goldenText(t, filepath.Join("conformance", "expected.golden.txt"), golden.String())
}

// world builds the case's pods as Endpoints, with the step's extra labels.
func (c confCase) world(step confStep) map[string]Endpoint {
	out := make(map[string]Endpoint, len(c.Pods))
	for _, name := range c.Pods {
		ns, pod, _ := strings.Cut(name, "/")
		labels := map[string]string{"pod": pod}
		for k, v := range step.PodLabels[name] {
			labels[k] = v
		}
		var ports []NamedPort
		for _, proto := range c.Protocols {
			for _, port := range c.Ports {
				ports = append(ports, NamedPort{Name: fmt.Sprintf("serve-%d-%s", port, strings.ToLower(string(proto))), Port: port, Protocol: proto})
			}
		}
		ip := netip.AddrFrom4([4]byte{198, 18, ns[0] - 'x', pod[0] - 'a' + 1})
		out[name] = Endpoint{Pod: &Pod{Namespace: ns, Labels: labels, Ports: ports}, IP: ip}
	}
	return out
}

func (c confCase) namespaces(step confStep) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, ns := range []string{"x", "y", "z"} {
		out[ns] = map[string]string{MetadataNameLabel: ns}
		for k, v := range step.NamespaceLabels[ns] {
			out[ns][k] = v
		}
	}
	return out
}
