package policy

// Endpoint is the workload as one end of a connection: its pods' labels,
// named ports and first address.
func (w Workload) Endpoint() Endpoint { return endpointOf(w) }
