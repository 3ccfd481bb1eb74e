// Package apiserver serves the netpol-advisor.io/v1alpha1 aggregated API:
// the Kubernetes API server fronts it (an APIService), authenticates people
// however the cluster does and passes their identity through its front proxy;
// this server trusts that identity only from the front-proxy CA (delegated
// authentication) and asks the API server whether the user may get the
// resource in the namespace (delegated authorisation, SubjectAccessReview).
//
// It is built on the generic API server library, as metrics-server is:
// discovery, content negotiation (JSON, YAML, Tables for kubectl get),
// OpenAPI, audit-free request handling and the delegated auth chain all come
// from k8s.io/apiserver, so nothing here checks a credential by hand. The
// resources are read-only views computed from the baseline store and the
// policy core through small interfaces.
package apiserver
