package mismatch

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

// sameWorkload agrees with reflect.DeepEqual on every field it compares.
func TestSameWorkloadIsDeepEqual(t *testing.T) {
	base := func() policy.Workload {
		return policy.Workload{Ref: flow.WorkloadRef{Namespace: "ns", Kind: flow.KindDeployment, Name: "a"}, Labels: map[string]string{"app": "a"},
			IPs: ips("198.18.0.1"), Ports: []policy.NamedPort{{Name: "http", Port: 80}},
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "a"}},
			Pods:     []policy.PodInfo{{Name: "a-1", Labels: map[string]string{"app": "a", "pod-template-hash": "1"}, IPs: ips("198.18.0.1")}}}
	}
	if n := reflect.TypeFor[policy.Workload]().NumField(); n != 7 {
		t.Fatalf("policy.Workload has %d fields, sameWorkload compares 7: compare the new one", n)
	}
	edits := map[string]func(*policy.Workload){
		"nothing":        func(*policy.Workload) {},
		"ref":            func(w *policy.Workload) { w.Ref.Name = "b" },
		"label":          func(w *policy.Workload) { w.Labels["v"] = "2" },
		"ip":             func(w *policy.Workload) { w.IPs = ips("198.18.0.2") },
		"second ip":      func(w *policy.Workload) { w.IPs = append(w.IPs, ips("fd00::1")...) },
		"port":           func(w *policy.Workload) { w.Ports[0].Port = 81 },
		"host network":   func(w *policy.Workload) { w.HostNetwork = true },
		"selector":       func(w *policy.Workload) { w.Selector.MatchLabels["x"] = "y" },
		"no selector":    func(w *policy.Workload) { w.Selector = nil },
		"pod label":      func(w *policy.Workload) { w.Pods[0].Labels["x"] = "y" },
		"pod ip":         func(w *policy.Workload) { w.Pods[0].IPs = ips("198.18.0.9") },
		"pod name":       func(w *policy.Workload) { w.Pods[0].Name = "a-2" },
		"pod labels nil": func(w *policy.Workload) { w.Pods[0].Labels = nil },
		"second pod":     func(w *policy.Workload) { w.Pods = append(w.Pods, policy.PodInfo{Name: "a-2"}) },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			a, b := base(), base()
			edit(&b)
			if got, want := sameWorkload(&a, &b), reflect.DeepEqual(a, b); got != want {
				t.Errorf("sameWorkload = %v, reflect.DeepEqual = %v", got, want)
			}
		})
	}
}
