package apiserver

import (
	"context"
	"fmt"
	"net"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/endpoints/openapi"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/options"
	"k8s.io/apiserver/pkg/util/compatibility"

	generatedopenapi "github.com/netpol-advisor/netpol-advisor/internal/apis/openapi"
	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// Config says where the aggregated API listens and how it reaches the
// Kubernetes API server for delegated authentication and authorisation.
type Config struct {
	// BindAddress and Port are where it serves HTTPS.
	BindAddress net.IP
	Port        int
	// CertFile and KeyFile are its serving certificate; the APIService's
	// caBundle must trust it.
	CertFile, KeyFile string
	// Kubeconfig is how it reaches the API server ("": in-cluster).
	Kubeconfig string
	// DefaultWindow is the window of a read without a field selector (zero:
	// everything the store keeps).
	DefaultWindow time.Duration
}

// Deps are what the resources are computed from.
type Deps struct {
	Baselines   Baselines
	Recommender Recommender
	Checker     Checker
	Explainer   Explainer
	Describer   Describer
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the aggregated API server, ready to run.
type Server struct {
	generic *genericapiserver.GenericAPIServer
}

// New builds the server: delegated authentication (front-proxy
// certificates and TokenReview) and authorisation (SubjectAccessReview)
// through the API server, and the group's read-only resources.
func New(cfg Config, deps Deps) (*Server, error) {
	scheme, codecs, err := newScheme()
	if err != nil {
		return nil, fmt.Errorf("aggregated API scheme: %w", err)
	}
	gc := genericapiserver.NewConfig(codecs)
	if err := applyOptions(cfg, gc); err != nil {
		return nil, err
	}
	namer := openapi.NewDefinitionNamer(scheme)
	gc.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(generatedopenapi.GetOpenAPIDefinitions, namer)
	gc.OpenAPIConfig.Info.Title, gc.OpenAPIConfig.Info.Version = "netpol-advisor", "v1alpha1"
	gc.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(generatedopenapi.GetOpenAPIDefinitions, namer)
	gc.OpenAPIV3Config.Info.Title, gc.OpenAPIV3Config.Info.Version = "netpol-advisor", "v1alpha1"
	gc.EffectiveVersion = compatibility.DefaultBuildEffectiveVersion()
	generic, err := gc.Complete(nil).New("netpol-advisor", genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, fmt.Errorf("aggregated API server: %w", err)
	}
	info := genericapiserver.NewDefaultAPIGroupInfo(v1alpha1.GroupName, scheme, metav1.ParameterCodec, codecs)
	info.VersionedResourcesStorageMap[v1alpha1.SchemeGroupVersion.Version] = storage(cfg, deps)
	if err := generic.InstallAPIGroup(&info); err != nil {
		return nil, fmt.Errorf("install %s: %w", v1alpha1.SchemeGroupVersion, err)
	}
	return &Server{generic: generic}, nil
}

func applyOptions(cfg Config, gc *genericapiserver.Config) error {
	serving := options.NewSecureServingOptions().WithLoopback()
	serving.BindAddress, serving.BindPort = cfg.BindAddress, cfg.Port
	serving.ServerCert.CertKey.CertFile, serving.ServerCert.CertKey.KeyFile = cfg.CertFile, cfg.KeyFile
	if err := serving.ApplyTo(&gc.SecureServing, &gc.LoopbackClientConfig); err != nil {
		return fmt.Errorf("aggregated API serving on %s:%d: %w", cfg.BindAddress, cfg.Port, err)
	}
	authn := options.NewDelegatingAuthenticationOptions()
	authn.RemoteKubeConfigFile = cfg.Kubeconfig
	if err := authn.ApplyTo(&gc.Authentication, gc.SecureServing, nil); err != nil {
		return fmt.Errorf("delegated authentication (the server needs the system:auth-delegator ClusterRole and "+
			"the extension-apiserver-authentication-reader Role in kube-system): %w", err)
	}
	authz := options.NewDelegatingAuthorizationOptions()
	authz.RemoteKubeConfigFile = cfg.Kubeconfig
	if err := authz.ApplyTo(&gc.Authorization); err != nil {
		return fmt.Errorf("delegated authorisation (the server needs the system:auth-delegator ClusterRole): %w", err)
	}
	return nil
}

func storage(cfg Config, deps Deps) map[string]rest.Storage {
	base := view{baselines: deps.Baselines, defaultWindow: cfg.DefaultWindow, now: deps.Now}
	if base.now == nil {
		base.now = time.Now
	}
	out := map[string]rest.Storage{
		"baselines":  baselinesView(base, deps.Describer),
		"topologies": topologiesView(base),
	}
	if deps.Recommender != nil {
		out["recommendations"] = recommendationsView(base, deps.Recommender)
		out["recommendationreviews"] = &recommendationReviews{rec: deps.Recommender, baselines: deps.Baselines,
			now: base.now, window: cfg.DefaultWindow}
	}
	if deps.Explainer != nil {
		out["connectionreviews"] = &connectionReviews{explainer: deps.Explainer}
	}
	if deps.Checker != nil {
		out["policychecks"] = &policyChecks{checker: deps.Checker}
	}
	return out
}

// Run serves until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	return s.generic.PrepareRun().RunWithContext(ctx)
}
