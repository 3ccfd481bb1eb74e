package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// client reads the aggregated API as the kubeconfig's user.
type client struct {
	rest *rest.RESTClient
	host string
}

func newClient(flags *genericclioptions.ConfigFlags) (*client, error) {
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	s := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	metav1.AddToGroupVersion(s, metav1.SchemeGroupVersion)
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &v1alpha1.SchemeGroupVersion
	c.APIPath = "/apis"
	c.NegotiatedSerializer = serializer.NewCodecFactory(s).WithoutConversion()
	if c.UserAgent == "" {
		c.UserAgent = "netpol-advisor-cli"
	}
	rc, err := rest.RESTClientFor(c)
	if err != nil {
		return nil, fmt.Errorf("client for %s: %w", v1alpha1.SchemeGroupVersion, err)
	}
	return &client{rest: rc, host: cfg.Host}, nil
}

// window is what --window and --since ask for, as a field selector.
type window struct {
	last  time.Duration
	since string
}

func (w window) selector(name string) string {
	set := fields.Set{}
	if name != "" {
		set["metadata.name"] = name
	}
	if w.last > 0 {
		set["window"] = w.last.String()
	}
	if w.since != "" {
		set["since"] = w.since
	}
	return set.AsSelector().String()
}

// list reads a resource of a namespace ("" for all) into out.
func (c *client) list(ctx context.Context, ns, resource, name string, w window, out runtime.Object) error {
	req := c.rest.Get().Resource(resource).Param("fieldSelector", w.selector(name))
	if ns != "" {
		req = req.Namespace(ns)
	}
	return c.explain(req.Do(ctx).Into(out), resource, ns)
}

// create posts a review object and reads the answer back into it.
func (c *client) create(ctx context.Context, ns, resource string, obj runtime.Object) error {
	return c.explain(c.rest.Post().Namespace(ns).Resource(resource).Body(obj).Do(ctx).Into(obj), resource, ns)
}

// explain turns API errors into sentences that say what to do.
func (c *client) explain(err error, resource, ns string) error {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case err == nil:
		return nil
	case apierrors.IsForbidden(err):
		return fmt.Errorf("%s.%s in namespace %s: you may not read them (%s); ask for a Role granting get and list on them",
			resource, v1alpha1.GroupName, display(ns), apierrors.ReasonForError(err))
	case apierrors.IsNotFound(err) && strings.Contains(err.Error(), "the server could not find the requested resource"):
		return fmt.Errorf("the API server at %s does not serve %s: is netpol-advisor installed (helm install netpol-advisor charts/netpol-advisor)? "+
			"check with: kubectl get apiservice v1alpha1.%s", c.host, v1alpha1.SchemeGroupVersion, v1alpha1.GroupName)
	case apierrors.IsServiceUnavailable(err) || apierrors.IsTimeout(err):
		return fmt.Errorf("netpol-advisor's API is not available now (%v): check its pods with kubectl get pods -n netpol-advisor", err)
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return fmt.Errorf("cannot reach the API server at %s: %w", c.host, err)
	}
	return err
}

func display(ns string) string {
	if ns == "" {
		return "(all namespaces)"
	}
	return ns
}
