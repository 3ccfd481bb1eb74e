package cli

import (
	"fmt"
	"strings"

	"github.com/netpol-advisor/netpol-advisor/internal/apis/v1alpha1"
)

// kindAliases are the resource names and short names kubectl users type.
var kindAliases = map[string]string{
	"deploy": "Deployment", "deployment": "Deployment", "deployments": "Deployment",
	"sts": "StatefulSet", "statefulset": "StatefulSet", "statefulsets": "StatefulSet",
	"ds": "DaemonSet", "daemonset": "DaemonSet", "daemonsets": "DaemonSet",
	"job": "Job", "jobs": "Job",
	"cj": "CronJob", "cronjob": "CronJob", "cronjobs": "CronJob",
	"po": "Pod", "pod": "Pod", "pods": "Pod",
}

// parseWorkload reads kind/name (deploy/web, statefulset/db) or a bare
// name, whose kind the server finds.
func parseWorkload(arg string) (v1alpha1.WorkloadReference, error) {
	kind, name, ok := strings.Cut(arg, "/")
	if !ok {
		if arg == "" {
			return v1alpha1.WorkloadReference{}, fmt.Errorf("name a workload, e.g. deploy/web")
		}
		return v1alpha1.WorkloadReference{Name: arg}, nil
	}
	k, known := kindAliases[strings.ToLower(kind)]
	if !known || name == "" || strings.Contains(name, "/") {
		return v1alpha1.WorkloadReference{}, fmt.Errorf("workload %q: want kind/name with kind one of deploy, sts, ds, job, cronjob, pod", arg)
	}
	return v1alpha1.WorkloadReference{Kind: k, Name: name}, nil
}

// objectName is how the aggregated API names the workload's objects: the
// kind-qualified name when the kind is known (it resolves as the plain
// name would, and is never ambiguous).
func objectName(w v1alpha1.WorkloadReference) string {
	if w.Kind == "" {
		return w.Name
	}
	return strings.ToLower(w.Kind) + "." + w.Name
}
