package transport_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/transport"
)

// staticAuth accepts the tokens of node-1's observer pods; the unit
// tests' target is the decoder, not the TokenReview (tested against the
// real API server elsewhere).
type staticAuth struct{}

// Authenticate accepts observer-token, and observer-token-ID as the
// observer ID of node-1 (its UID: another observer of the same node).
func (staticAuth) Authenticate(_ context.Context, token string) (transport.User, error) {
	rest, ok := strings.CutPrefix(token, "observer-token")
	id, dash := strings.CutPrefix(rest, "-")
	if !ok || rest != "" && !dash {
		return transport.User{}, transport.ErrUnauthenticated
	}
	return transport.User{Name: observerUser, UID: id, Extra: map[string][]string{"authentication.kubernetes.io/node-name": {"node-1"}}}, nil
}

// makePod builds a running pod of Deployment deployment (through a
// ReplicaSet named as the Deployment controller names them) on node at ip.
func makePod(ns, deployment, suffix, node, ip string) *corev1.Pod {
	const hash = "5d9f8c7b6"
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: deployment + "-" + hash + "-" + suffix,
			UID: types.UID(fmt.Sprintf("uid-%s-%s-%s", ns, deployment, suffix)), Labels: map[string]string{"pod-template-hash": hash},
			CreationTimestamp: metav1.NewTime(t0.Add(-time.Hour)),
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: deployment + "-" + hash,
				UID: "rs-uid", Controller: ptr.To(true)}}},
		Spec:   corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "main", Image: "registry.invalid/app:1"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}}},
	}
}

// localIndex is a resolution index fed with pods directly (the envtest
// tests feed it from informers): javaapp's pod at 198.18.0.10 on node-1.
func localIndex(pods ...*corev1.Pod) *resolve.Index {
	x := resolve.NewIndex(0, nil)
	x.SetPod(makePod("example-java-app", "example-java-app-javaapp", "abcde", "node-1", "198.18.0.10"))
	for _, p := range pods {
		x.SetPod(p)
	}
	return x
}

// createPod creates p in the API server with its status, as the kubelet
// would, creating its namespace if needed.
func createPod(t *testing.T, cs kubernetes.Interface, p *corev1.Pod) *corev1.Pod {
	t.Helper()
	_, _ = cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: p.Namespace}}, metav1.CreateOptions{})
	status := p.Status
	p = p.DeepCopy()
	p.UID, p.CreationTimestamp, p.OwnerReferences[0].UID = "", metav1.Time{}, "rs-uid"
	got, err := cs.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod %s: %v", p.Name, err)
	}
	got.Status = status
	got, err = cs.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, got, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("set the status of pod %s: %v", p.Name, err)
	}
	return got
}
