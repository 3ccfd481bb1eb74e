package aggregated

import (
	"context"
	"os"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/apiserver"
	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook"
)

// StartStory is the DESIGN.md story on a real kube-apiserver with the
// aggregation layer: the objects of dir's cluster.yaml and javaapp.yaml,
// dir's baseline.yaml in a real Badger store, and the server's advisor (the
// webhooks' own) behind the aggregated API. dir is webhook/testdata/story/
// relative to the test's package.
func StartStory(t testing.TB, dir string) *testutil.ControlPlane {
	t.Helper()
	cp := testutil.StartControlPlane(t, testutil.FrontProxy(t))
	st := StoreWithBaseline(t, dir+"baseline.yaml")
	kubectl(t, cp, nil, "apply", "-f", dir+"cluster.yaml", "-f", dir+"javaapp.yaml")
	adv := StartAdvisor(t, cp, st)
	Start(t, cp, apiserver.Deps{Baselines: st, Recommender: adv, Checker: adv, Explainer: adv, Describer: adv})
	return cp
}

// StoreWithBaseline opens a Badger store in a temporary directory holding
// the batch of the YAML file.
func StoreWithBaseline(t testing.TB, file string) *badgerstore.Store {
	t.Helper()
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var batch store.Batch
	if err := yaml.Unmarshal(raw, &batch); err != nil {
		t.Fatalf("decode %s: %v", file, err)
	}
	if _, err := st.Apply(context.Background(), batch); err != nil {
		t.Fatalf("apply the baseline of %s: %v", file, err)
	}
	return st
}

// Advisor is what the webhooks' advisor answers for the aggregated API.
type Advisor interface {
	apiserver.Recommender
	apiserver.Checker
	apiserver.Explainer
	apiserver.Describer
}

// StartAdvisor runs the webhooks' manager (without the annotator) for its
// advisor and waits for its cache.
func StartAdvisor(t testing.TB, cp *testutil.ControlPlane, st *badgerstore.Store) Advisor {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	certDir := t.TempDir()
	testutil.SelfSignedCert(t, certDir)
	mgr, err := ctrl.NewManager(cp.Config, ctrl.Options{Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0", WebhookServer: crwebhook.NewServer(crwebhook.Options{Host: "127.0.0.1", Port: testutil.FreePort(t), CertDir: certDir})})
	if err != nil {
		t.Fatalf("manager: %v", err)
	}
	adv, err := webhook.Setup(mgr, webhook.Options{NoAnnotator: true}, webhook.Deps{Baselines: st})
	if err != nil {
		t.Fatalf("webhook setup: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		t.Fatal("the manager's cache never synced")
	}
	return adv
}
