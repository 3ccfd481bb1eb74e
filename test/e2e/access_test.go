package e2e

import (
	"path/filepath"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/netpol-advisor/netpol-advisor/internal/api"
)

// productNS is where the observer's and the reader's ServiceAccounts live.
const productNS = "netpol-advisor"

// observerUser is the observer ServiceAccount's user name, which the
// server's --observer-user allows to send batches.
const observerUser = "system:serviceaccount:" + productNS + ":observer"

// serviceAccount creates a ServiceAccount and returns a token for it from
// the TokenRequest API, as a projected token would be.
func (a apiObjects) serviceAccount(name string) string {
	_, err := a.cs.CoreV1().ServiceAccounts(productNS).Create(a.ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	a.must("create ServiceAccount "+name, err)
	tr, err := a.cs.CoreV1().ServiceAccounts(productNS).CreateToken(a.ctx, name, &authnv1.TokenRequest{}, metav1.CreateOptions{})
	a.must("request a token for "+name, err)
	return tr.Status.Token
}

// observerToken creates the observer's pod on the node and returns the
// token the chart projects into it: bound to the pod (the API server then
// names the node in it) and of the product's audience, which the server
// requires.
func (a apiObjects) observerToken() string {
	p, err := a.cs.CoreV1().Pods(productNS).Create(a.ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "observer-" + a.node},
		Spec: corev1.PodSpec{NodeName: a.node, ServiceAccountName: "observer",
			Containers: []corev1.Container{{Name: "observer", Image: "registry.invalid/observer:1"}}}}, metav1.CreateOptions{})
	a.must("create the observer's pod", err)
	tr, err := a.cs.CoreV1().ServiceAccounts(productNS).CreateToken(a.ctx, "observer", &authnv1.TokenRequest{
		Spec: authnv1.TokenRequestSpec{Audiences: []string{"netpol-advisor"},
			BoundObjectRef: &authnv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: p.Name, UID: p.UID}},
	}, metav1.CreateOptions{})
	a.must("request the observer's pod-bound token", err)
	return tr.Status.Token
}

// observerRBAC lets the observer's ServiceAccount watch what it resolves
// its own pods with (the chart's ClusterRole in small).
func (a apiObjects) observerRBAC() {
	rules := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{"apps"}, Resources: []string{"replicasets"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{"batch"}, Resources: []string{"jobs"}, Verbs: []string{"get", "list", "watch"}},
	}
	_, err := a.cs.RbacV1().ClusterRoles().Create(a.ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "netpol-advisor-observer"}, Rules: rules}, metav1.CreateOptions{})
	a.must("create the observer's ClusterRole", err)
	_, err = a.cs.RbacV1().ClusterRoleBindings().Create(a.ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "netpol-advisor-observer"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "netpol-advisor-observer"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: productNS, Name: "observer"}}}, metav1.CreateOptions{})
	a.must("bind the observer's ClusterRole", err)
}

// readerRBAC lets ServiceAccount sa get the baselines of namespace ns only,
// in the terms the read API's SubjectAccessReview asks about.
func (a apiObjects) readerRBAC(ns, sa string) {
	_, err := a.cs.RbacV1().Roles(ns).Create(a.ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "baseline-reader"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{api.Group}, Resources: []string{api.Resource}, Verbs: []string{"get"}}}}, metav1.CreateOptions{})
	a.must("create the reader's Role", err)
	_, err = a.cs.RbacV1().RoleBindings(ns).Create(a.ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "baseline-reader"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "baseline-reader"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: productNS, Name: sa}}}, metav1.CreateOptions{})
	a.must("bind the reader's Role", err)
}

// tokenKubeconfig writes a kubeconfig for the API server of rc that
// authenticates with the token in tokenFile, so the observer talks to the
// API server as its ServiceAccount (its RBAC is tested too), not as admin.
func tokenKubeconfig(a apiObjects, dir string, rc *rest.Config, tokenFile string) string {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["e2e"] = &clientcmdapi.Cluster{Server: rc.Host, CertificateAuthorityData: rc.CAData}
	cfg.AuthInfos["observer"] = &clientcmdapi.AuthInfo{TokenFile: tokenFile}
	cfg.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: "observer"}
	cfg.CurrentContext = "e2e"
	path := filepath.Join(dir, "observer.kubeconfig")
	a.must("write the observer's kubeconfig", clientcmd.WriteToFile(*cfg, path))
	return path
}
