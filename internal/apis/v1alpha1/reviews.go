package v1alpha1

import (
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RecommendationReview asks for a workload's recommendation with
// adjustments that are not stored (yet): create it, read the answer in its
// status; nothing is kept. The CLI's generate --allow-cidr/--exclude uses it
// (mode Add), and so does the web page (mode Replace, its whole proposal).
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type RecommendationReview struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RecommendationReviewSpec `json:"spec"`
	Status Recommendation           `json:"status,omitempty"`
}

// RecommendationReviewSpec names the workload, the window and the
// adjustments: added to those stored on the workload (mode Add, the
// default), or instead of them (mode Replace).
type RecommendationReviewSpec struct {
	Workload WorkloadReference `json:"workload"`
	// Window is how far back to read, e.g. 3h (empty: the server's default).
	Window string `json:"window,omitempty"`
	// Since is the window's start (RFC 3339); it wins over Window.
	Since       *metav1.Time `json:"since,omitempty"`
	Adjustments Adjustments  `json:"adjustments,omitempty"`
	// Mode says what the adjustments do to those stored on the workload:
	// Add (empty means Add) puts them beside the stored ones, as the CLI's
	// generate --allow-cidr/--exclude does; Replace uses them alone, as a
	// complete proposal (the web page's, where a stored decision may be
	// undone before it is saved).
	Mode AdjustmentsMode `json:"mode,omitempty"`
}

// AdjustmentsMode is how a review's adjustments meet the stored ones.
type AdjustmentsMode string

const (
	// AdjustmentsAdd adds the review's adjustments to the stored ones.
	AdjustmentsAdd AdjustmentsMode = "Add"
	// AdjustmentsReplace uses the review's adjustments instead of the
	// stored ones.
	AdjustmentsReplace AdjustmentsMode = "Replace"
)

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
	// Unused are rules no observed flow needs: what the policy would allow
	// that was never seen.
	Unused []UnusedRule `json:"unused,omitempty"`
}

// UnusedRule is a rule of a checked policy that allows no observed flow.
type UnusedRule struct {
	// Direction is Ingress or Egress; Rule the index in spec.ingress or
	// spec.egress.
	Direction string `json:"direction"`
	Rule      int32  `json:"rule"`
	Message   string `json:"message"`
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

// ConnectionReview asks whether Kubernetes allows a connection under the
// NetworkPolicies in force, and why: which policies isolate each end and
// which rule lets it through. Create it, read the answer in its status.
//
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object
type ConnectionReview struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ConnectionReviewSpec   `json:"spec"`
	Status ConnectionReviewStatus `json:"status,omitempty"`
}

// ConnectionReviewSpec is the connection: from a workload of the review's
// namespace to a workload or an address, on the destination's port.
type ConnectionReviewSpec struct {
	From WorkloadReference `json:"from"`
	To   ConnectionTarget  `json:"to"`
	// Port is the destination pod's port (a Service's target port).
	Port int32 `json:"port"`
	// Protocol is TCP (default), UDP or SCTP.
	Protocol string `json:"protocol,omitempty"`
}

// ConnectionTarget is a workload (namespace: the review's when empty) or
// an IP address.
type ConnectionTarget struct {
	Namespace string `json:"namespace,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Name      string `json:"name,omitempty"`
	IP        string `json:"ip,omitempty"`
}

// ConnectionReviewStatus is the verdict at both ends.
type ConnectionReviewStatus struct {
	Allowed bool        `json:"allowed"`
	Egress  SideVerdict `json:"egress"`
	Ingress SideVerdict `json:"ingress"`
	// Explanation says it in sentences.
	Explanation []string `json:"explanation"`
}

// SideVerdict is one direction at one end.
type SideVerdict struct {
	// Isolated: some policy selects the pod for this direction.
	Isolated bool `json:"isolated"`
	Allowed  bool `json:"allowed"`
	// AllowedBy are the rules that allow the connection.
	AllowedBy []RuleReference `json:"allowedBy,omitempty"`
	// Isolating are the policies that select the pod without allowing it.
	Isolating []string `json:"isolating,omitempty"`
}

// RuleReference is one rule of a policy: its index in spec.ingress or
// spec.egress.
type RuleReference struct {
	Policy string `json:"policy"`
	Rule   int32  `json:"rule"`
}
