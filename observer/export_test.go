package observer

import "errors"

// OldKernel returns c set to load the programs as a 5.10 kernel would
// take them: without the newer helpers and kfuncs, so that tests on a new
// kernel run the fallbacks too.
func OldKernel(c Config) Config {
	c.oldKernel = true
	return c
}

// WithoutUDPCache returns c set to load the programs without the
// per-socket UDP cache, as kernels before 5.12 run them.
func WithoutUDPCache(c Config) Config {
	c.noUDPCache = true
	return c
}

// UDPCacheAfter returns c set to admit a socket to the UDP cache after n
// datagrams in a row instead of the default.
func UDPCacheAfter(c Config, n uint32) Config {
	c.udpCacheAfter = n
	return c
}

// UDPCacheOn tells whether the per-socket UDP cache is in use.
func (o *Observer) UDPCacheOn() bool { return o.udpCache }

// Detach detaches the programs but keeps them and their maps loaded, so
// that benchmarks can alternate with and without them cheaply.
func (o *Observer) Detach() error {
	var errs []error
	for _, l := range o.links {
		errs = append(errs, l.Close())
	}
	o.links, o.hooks = nil, nil
	return errors.Join(errs...)
}

// Reattach attaches the programs again after Detach.
func (o *Observer) Reattach(cgroupPath string) error { return o.attach(cgroupPath) }
