package tracer

// prefetch asks the processor to bring the cache lines at addrs into its caches, without
// waiting for them (see ahead).
//
//go:noescape
func prefetch(addrs []uintptr)
