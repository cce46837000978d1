//go:build !amd64 && !arm64

package tracer

// prefetch does nothing on this architecture: the replay reads without loading ahead.
func prefetch(addrs []uintptr) {}
