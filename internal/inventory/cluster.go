package inventory

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
	"github.com/netpol-advisor/netpol-advisor/internal/policy"
)

func addNamespaces(ctx context.Context, r client.Reader, s *Snapshot) error {
	var list corev1.NamespaceList
	if err := r.List(ctx, &list); err != nil {
		return fmt.Errorf("list namespaces: %w", err)
	}
	s.Cluster.Namespaces = make(map[string]map[string]string, len(list.Items))
	for _, ns := range list.Items {
		s.Cluster.Namespaces[ns.Name] = ns.Labels
	}
	return nil
}

// addDNS finds the cluster DNS pods from the kube-dns Service's selector;
// without that Service the default identity stays.
func addDNS(ctx context.Context, r client.Reader, s *Snapshot) error {
	dns := policy.DefaultDNS()
	var svc corev1.Service
	err := r.Get(ctx, client.ObjectKey{Namespace: dns.Service.Namespace, Name: dns.Service.Name}, &svc)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("get dns service %s: %w", dns.Service, err)
	case len(svc.Spec.Selector) > 0:
		dns.PodLabels = svc.Spec.Selector
	}
	s.Cluster.DNS = dns
	return nil
}

// addAPIServer lists the endpoints of the kubernetes Service in default:
// policies must allow those addresses and ports, not its ClusterIP.
func addAPIServer(ctx context.Context, r client.Reader, s *Snapshot) error {
	var list discoveryv1.EndpointSliceList
	err := r.List(ctx, &list, client.InNamespace("default"),
		client.MatchingLabels{discoveryv1.LabelServiceName: "kubernetes"})
	if err != nil {
		return fmt.Errorf("list endpointslices of default/kubernetes: %w", err)
	}
	var eps []policy.APIEndpoint
	for _, sl := range list.Items {
		eps = append(eps, sliceEndpoints(sl)...)
	}
	slices.SortFunc(eps, func(a, b policy.APIEndpoint) int {
		if c := a.IP.Compare(b.IP); c != 0 {
			return c
		}
		return int(a.Port - b.Port)
	})
	s.Cluster.APIServer = slices.Compact(eps)
	return nil
}

func sliceEndpoints(sl discoveryv1.EndpointSlice) []policy.APIEndpoint {
	var out []policy.APIEndpoint
	for _, ep := range sl.Endpoints {
		for _, addr := range ep.Addresses {
			ip, err := netip.ParseAddr(addr)
			if err != nil {
				continue
			}
			for _, p := range sl.Ports {
				if p.Port != nil {
					out = append(out, policy.APIEndpoint{IP: ip, Port: *p.Port})
				}
			}
		}
	}
	return out
}

// Ref is the workload reference of an object of a workload kind.
func Ref(obj client.Object, kind flow.Kind) flow.WorkloadRef {
	return flow.WorkloadRef{Namespace: obj.GetNamespace(), Kind: kind, Name: obj.GetName()}
}
