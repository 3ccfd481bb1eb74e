package policy

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

// FuzzEvaluate feeds arbitrary policies (JSON) through Evaluate, Check and
// Recommend: whatever the policy, nothing panics.
func FuzzEvaluate(f *testing.F) {
	for _, name := range []string{"story/handwritten.yaml", "story/fixed.yaml", "story/recommended.golden.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		js, err := yaml.YAMLToJSON(data)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(js, int32(27017), "TCP")
	}
	f.Add([]byte(`{"metadata":{"namespace":"x"},"spec":{"podSelector":{"matchExpressions":[{"key":"a","operator":"In"}]},"ingress":[{"from":[{"ipBlock":{"cidr":"bad","except":["::/0"]}},{}],"ports":[{"port":"x","endPort":1}]}]}}`), int32(0), "")
	w := newRandomWorld()
	f.Fuzz(func(t *testing.T, policy []byte, port int32, proto string) {
		var np networkingv1.NetworkPolicy
		if err := json.Unmarshal(policy, &np); err != nil {
			return
		}
		for _, conn := range w.connections()[:60] {
			conn.Port, conn.Protocol = port, corev1.Protocol(proto)
			Evaluate([]networkingv1.NetworkPolicy{np}, w.namespaces, conn)
		}
		c := unitCluster()
		b := flow.Baseline{Workload: appRef, Flows: []flow.Flow{
			mkFlow(flow.Egress, wl(dbRef), corev1.Protocol(proto), port),
			mkFlow(flow.Ingress, flow.Peer{Kind: flow.PeerExternal, IP: netip.MustParseAddr("203.0.113.7")}, corev1.Protocol(proto), port),
		}}
		np.Namespace = appRef.Namespace
		Check(CheckInput{Cluster: c, Policies: []networkingv1.NetworkPolicy{np}, Change: Change{Operation: Update, Old: &np, New: &np}, Baselines: []flow.Baseline{b}})
		Touched(c, Change{Operation: Delete, Old: &np})
		if _, err := Recommend(c, b, Adjustments{}); err != nil {
			t.Fatalf("Recommend: %v", err)
		}
	})
}
