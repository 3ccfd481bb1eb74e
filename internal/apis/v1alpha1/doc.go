// Package v1alpha1 is the netpol-advisor.io/v1alpha1 API that the server
// serves behind the Kubernetes API server (an aggregated API): read-only
// baselines, topologies and recommendations of workloads, so that people
// read them with kubectl and RBAC decides who sees which namespace.
//
// The types are plain data; the same Go types serve as the internal and
// the v1alpha1 version (there is nothing to convert), and deepcopy and
// OpenAPI code is generated from them (make generate-api).
//
// +k8s:deepcopy-gen=package
// +k8s:openapi-gen=true
// +groupName=netpol-advisor.io
package v1alpha1
