// Package clustercache is the server's one informer cache: the
// controller-runtime manager's, shared by the resolver (internal/resolve),
// the inventory (internal/inventory) and the webhooks' controllers, so each
// kind is listed and watched once and held once in memory. It trims the
// large kinds (pods, ReplicaSets, Jobs, nodes) to the fields those readers
// use, and adapts the cache to resolve.Informers.
package clustercache
