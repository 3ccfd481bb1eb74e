package webhook

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	crconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/yaml"

	"github.com/netpol-advisor/netpol-advisor/internal/store"
	"github.com/netpol-advisor/netpol-advisor/internal/store/badgerstore"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
	"github.com/netpol-advisor/netpol-advisor/webhook/config"
)

// suite is a real kube-apiserver with the product's webhook configurations
// installed (envtest makes the CA and serving certificate and points the
// configurations at the local server), a real Badger baseline store, and a
// manager serving the webhooks, as kubebuilder's webhook_suite_test.go does.
type suite struct {
	cp    *testutil.ControlPlane
	store *badgerstore.Store
	mgr   ctrl.Manager
	stop  func()
}

func startSuite(t testing.TB, o Options) *suite {
	t.Helper()
	return startSuiteWith(t, o, config.Options{})
}

// startSuiteWith installs the configurations made with co.
func startSuiteWith(t testing.TB, o Options, co config.Options) *suite {
	t.Helper()
	s := &suite{}
	s.cp = testutil.StartControlPlane(t, func(env *envtest.Environment) {
		env.WebhookInstallOptions.MutatingWebhooks = append(env.WebhookInstallOptions.MutatingWebhooks, config.Mutating(co))
		env.WebhookInstallOptions.ValidatingWebhooks = append(env.WebhookInstallOptions.ValidatingWebhooks, config.Validating(config.Options{}))
	})
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{})
	if err != nil {
		t.Fatalf("open baseline store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	s.store = st
	s.startManager(t, o)
	return s
}

func (s *suite) startManager(t testing.TB, o Options) {
	t.Helper()
	wio := s.cp.Env.WebhookInstallOptions
	s.startManagerOn(t, o, crwebhook.Options{Host: wio.LocalServingHost, Port: wio.LocalServingPort, CertDir: wio.LocalServingCertDir}, nil)
}

// startManagerOn starts the manager serving the webhooks with so; before
// it starts, setup may add to it (SetupCerts).
func (s *suite) startManagerOn(t testing.TB, o Options, so crwebhook.Options, setup func(ctrl.Manager)) {
	t.Helper()
	s.startManagerWith(t, o, crwebhook.NewServer(so), setup)
}

// startManagerWith is startManagerOn with a webhook server of the caller's.
func (s *suite) startManagerWith(t testing.TB, o Options, srv crwebhook.Server, setup func(ctrl.Manager)) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(s.cp.Config, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Every test starts its own manager in this one process.
		Controller:    crconfig.Controller{SkipNameValidation: ptr.To(true)},
		WebhookServer: srv,
	})
	if err != nil {
		t.Fatalf("new manager: %v", err)
	}
	if setup != nil {
		setup(mgr)
	}
	if _, err := Setup(mgr, o, Deps{Baselines: s.store}); err != nil {
		t.Fatalf("Setup: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	s.mgr = mgr
	s.stop = func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("manager: %v", err)
		}
		s.stop = func() {}
	}
	t.Cleanup(func() { s.stop() })
	waitFor(t, 30*time.Second, "webhook server to serve", func() bool {
		return mgr.GetWebhookServer().StartedChecker()(&http.Request{}) == nil
	})
}

// applyBatch fills the baseline store from testdata/<name> as one observer
// batch.
func (s *suite) applyBatch(t testing.TB, name string) {
	t.Helper()
	var b store.Batch
	readYAML(t, name, &b)
	if _, err := s.store.Apply(context.Background(), b); err != nil {
		t.Fatalf("apply %s to the store: %v", name, err)
	}
}

func readYAML(t testing.TB, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}

func waitFor(t testing.TB, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
