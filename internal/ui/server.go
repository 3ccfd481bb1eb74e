package ui

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

//go:embed assets
var assets embed.FS

// Config is what the server needs.
type Config struct {
	// Port to listen on at 127.0.0.1; 0 picks a free one.
	Port int
	// Token is the session token; empty: a random one.
	Token string
	// REST is the user's kubeconfig: every call is made with it.
	REST *rest.Config
	// Namespace is the kubeconfig context's namespace, preselected.
	Namespace string
}

// Server is the page and its API on loopback.
type Server struct {
	cfg      Config
	listener net.Listener
	api      *rest.RESTClient
	kube     kubernetes.Interface
	dyn      dynamic.Interface
	index    *template.Template
}

// Listen binds 127.0.0.1:cfg.Port and prepares the clients.
func Listen(cfg Config) (*Server, error) {
	if cfg.REST == nil {
		return nil, errors.New("ui: no kubeconfig")
	}
	if cfg.Token == "" {
		t, err := NewToken()
		if err != nil {
			return nil, err
		}
		cfg.Token = t
	}
	api, err := aggregatedClient(cfg.REST)
	if err != nil {
		return nil, err
	}
	kube, err := kubernetes.NewForConfig(cfg.REST)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg.REST)
	if err != nil {
		return nil, err
	}
	index, err := template.ParseFS(assets, "assets/index.html")
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.Port)))
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1:%d: %w (choose another with --port, or 0 for any)", cfg.Port, err)
	}
	cfg.Port = l.Addr().(*net.TCPAddr).Port
	return &Server{cfg: cfg, listener: l, api: api, kube: kube, dyn: dyn, index: index}, nil
}

// URL is the page's address with the session token.
func (s *Server) URL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/?token=%s", s.cfg.Port, s.cfg.Token)
}

// Port is the port the server listens on.
func (s *Server) Port() int { return s.cfg.Port }

// Serve answers until ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(s.listener) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-done
		return nil
	}
}

// Handler is the page and its API behind the guard.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /api/namespaces", s.namespaces)
	mux.HandleFunc("GET /api/namespaces/{ns}/baselines", s.baselines)
	mux.HandleFunc("POST /api/namespaces/{ns}/recommendation", s.recommendation)
	mux.HandleFunc("POST /api/namespaces/{ns}/check", s.check)
	mux.HandleFunc("GET /api/namespaces/{ns}/adjustments/{kind}/{name}", s.getAdjustments)
	mux.HandleFunc("PUT /api/namespaces/{ns}/adjustments/{kind}/{name}", s.putAdjustments)
	return newGuard(s.cfg.Token, s.cfg.Port).wrap(mux)
}

func (s *Server) page(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = s.index.Execute(w, struct{ Token, Namespace string }{s.cfg.Token, s.cfg.Namespace})
}

func aggregatedClient(cfg *rest.Config) (*rest.RESTClient, error) {
	sc := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(sc); err != nil {
		return nil, err
	}
	metav1.AddToGroupVersion(sc, metav1.SchemeGroupVersion)
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &v1alpha1.SchemeGroupVersion
	c.APIPath = "/apis"
	c.NegotiatedSerializer = serializer.NewCodecFactory(sc).WithoutConversion()
	if c.UserAgent == "" {
		c.UserAgent = "netpol-advisor-ui"
	}
	return rest.RESTClientFor(c)
}
