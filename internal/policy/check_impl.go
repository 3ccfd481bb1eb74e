package policy

import "github.com/netpol-advisor/netpol-advisor/internal/flow"

func check(in CheckInput) Report { return Report{} }

func touched(cluster *Cluster, change Change) []flow.WorkloadRef { return nil }
