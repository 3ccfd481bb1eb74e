package v1alpha1

import (
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RecommendationReview asks for a workload's recommendation with
// adjustments that are not stored (yet): create it, read the answer in its
// status; nothing is kept. The CLI's generate --allow-cidr/--exclude uses it.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type RecommendationReview struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RecommendationReviewSpec `json:"spec"`
	Status Recommendation           `json:"status,omitempty"`
}

// RecommendationReviewSpec names the workload, the window and the extra
// adjustments, added to those stored on the workload.
type RecommendationReviewSpec struct {
	Workload WorkloadReference `json:"workload"`
	// Window is how far back to read, e.g. 3h (empty: the server's default).
	Window string `json:"window,omitempty"`
	// Since is the window's start (RFC 3339); it wins over Window.
	Since       *metav1.Time `json:"since,omitempty"`
	Adjustments Adjustments  `json:"adjustments,omitempty"`
}

// Adjustments are a user's decisions about a workload's peers, in the form
// of the netpol-advisor.io/adjustments annotation.
type Adjustments struct {
	Allow   []AllowCIDR `json:"allow,omitempty"`
	Exclude []Exclusion `json:"exclude,omitempty"`
}

// AllowCIDR allows an address range the recommendation leaves out by
// default (external addresses), under an alias.
type AllowCIDR struct {
	CIDR  string `json:"cidr"`
	Alias string `json:"alias,omitempty"`
}

// Exclusion leaves a peer out of the recommendation: a workload or a CIDR.
type Exclusion struct {
	Workload *ExcludedWorkload `json:"workload,omitempty"`
	CIDR     string            `json:"cidr,omitempty"`
}

// ExcludedWorkload names a workload peer (namespace: the workload's own
// when empty).
type ExcludedWorkload struct {
	Namespace string `json:"namespace,omitempty"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
}

// PolicyCheck asks what observed traffic NetworkPolicies would block if
// they were applied in the namespace (each replacing the policy of the same
// name): create it, read the answer in its status; nothing is kept or
// applied. The CLI's check uses it.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type PolicyCheck struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PolicyCheckSpec   `json:"spec"`
	Status PolicyCheckStatus `json:"status,omitempty"`
}

// PolicyCheckSpec holds the policies to check, all in the namespace.
type PolicyCheckSpec struct {
	Policies []networkingv1.NetworkPolicy `json:"policies"`
}

// PolicyCheckStatus is the answer: one result per policy, in order.
type PolicyCheckStatus struct {
	Results []PolicyCheckResult `json:"results"`
	// Blocks is true when any policy would block observed traffic.
	Blocks bool `json:"blocks"`
}

// PolicyCheckResult is what one policy would block.
type PolicyCheckResult struct {
	Policy string `json:"policy"`
	// Findings are observed flows the policy would block: real problems.
	Findings []Finding `json:"findings"`
	// Excluded are blocked flows to peers the user excluded on purpose.
	Excluded []Finding `json:"excluded,omitempty"`
	// Learning are workloads the policy selects that have no baseline yet.
	Learning []WorkloadReference `json:"learning,omitempty"`
}

// Finding is one observed flow a policy would block, with the pitfall
// named and the rule that would fix it.
type Finding struct {
	// Class is DNS, External, Peer, APIServer or Node.
	Class     string            `json:"class"`
	Workload  WorkloadReference `json:"workload"`
	Direction string            `json:"direction"`
	Flow      Flow              `json:"flow"`
	Message   string            `json:"message"`
	Fix       string            `json:"fix"`
}
