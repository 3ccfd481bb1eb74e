package observer

// OldKernel returns c set to load the programs as a 5.10 kernel would
// take them: without the newer helpers and kfuncs, so that tests on a new
// kernel run the fallbacks too.
func OldKernel(c Config) Config {
	c.oldKernel = true
	return c
}
