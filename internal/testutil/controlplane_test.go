package testutil

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// TestControlPlaneWithRealKubectl starts the real kube-apiserver and etcd and
// drives them with the real kubectl through the harness kubeconfig.
func TestControlPlaneWithRealKubectl(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		SkipOrFail(t, "kubectl is not on PATH")
	}
	cp := StartControlPlane(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	if _, stderr, err := cp.Kubectl(ctx, nil, "create", "namespace", "smoke"); err != nil {
		t.Fatalf("kubectl create namespace: %v: %s", err, stderr)
	}
	out, stderr, err := cp.Kubectl(ctx, nil, "get", "namespace", "smoke", "-o", "jsonpath={.metadata.labels.kubernetes\\.io/metadata\\.name}")
	if err != nil {
		t.Fatalf("kubectl get namespace: %v: %s", err, stderr)
	}
	// The label is set by the real apiserver's admission, so seeing it proves
	// kubectl talked to a real kube-apiserver, not a stand-in.
	if strings.TrimSpace(out) != "smoke" {
		t.Fatalf("namespace label kubernetes.io/metadata.name = %q, want %q", out, "smoke")
	}

	// The same object through client-go with the harness rest.Config.
	cs, err := kubernetes.NewForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := cs.CoreV1().Namespaces().Get(ctx, "smoke", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get namespace through client-go: %v", err)
	}
	if ns.Status.Phase != corev1.NamespaceActive {
		t.Fatalf("namespace phase = %q, want Active", ns.Status.Phase)
	}
	version, stderr, err := cp.Kubectl(ctx, nil, "version", "-o", "json")
	if err != nil {
		t.Fatalf("kubectl version: %v: %s", err, stderr)
	}
	if !strings.Contains(version, `"gitVersion": "v1.37.2"`) {
		t.Fatalf("server is not kube-apiserver v1.37.2:\n%s", version)
	}
}
