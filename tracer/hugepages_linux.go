package tracer

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of a transparent huge page on x86-64 (and most arm64 systems), and
// hugeFrom the size from which makeLarge asks for them.
const (
	hugePage = 2 << 20
	hugeFrom = 2 << 20
)

// makeLarge returns a zeroed slice of n T, for a T without pointers. From hugeFrom bytes on,
// the slice starts on a 2 MiB boundary of a larger allocation (just past it when T's size
// does not divide the distance; the rest of the allocation is never written, so it takes no
// memory), and the kernel is asked to back it with transparent huge
// pages where the system allows them on request (the common "madvise" setting): the first
// write to fresh memory then faults once per 2 MiB instead of once per 4 KiB. A page fault
// cost about 13 µs on the virtual machine the benchmarks ran on, where a trace's fresh memory
// (positions, lots, per-account state) took tens of thousands of faults. The advice changes
// nothing but the page size, and is ignored where it fails.
func makeLarge[T any](n int) []T {
	var zero T
	sz := unsafe.Sizeof(zero)
	if sz == 0 || uintptr(n)*sz < hugeFrom {
		return make([]T, n)
	}
	pad := int((hugePage + sz - 1) / sz)
	s := make([]T, n+pad)
	base := unsafe.Pointer(unsafe.SliceData(s))
	p := uintptr(base)
	lo := (p + hugePage - 1) &^ (hugePage - 1)
	hi := (p + uintptr(len(s))*sz) &^ (hugePage - 1)
	if hi > lo {
		b := unsafe.Slice((*byte)(unsafe.Add(base, lo-p)), hi-lo)
		_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
	}
	skip := int((lo - p + sz - 1) / sz)
	return s[skip : skip+n : skip+n]
}
