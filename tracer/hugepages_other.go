//go:build !linux

package tracer

// makeLarge returns make([]T, n) (see the Linux version).
func makeLarge[T any](n int) []T { return make([]T, n) }
