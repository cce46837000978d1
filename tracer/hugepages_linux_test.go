package tracer

import (
	"testing"
	"unsafe"
)

// TestMakeLarge: large slices start on a 2 MiB boundary, small ones are plain; both have the
// length and capacity asked for, are zeroed, and writing to the last element stays inside
// the slice.
func TestMakeLarge(t *testing.T) {
	for _, n := range []int{0, 1, 1000, hugeFrom/16 - 1, hugeFrom / 16, hugeFrom/16 + 3, 3*hugePage/16 + 5} {
		s := makeLarge[lot](n)
		if len(s) != n || cap(s) != n {
			t.Fatalf("makeLarge(%d): len %d cap %d", n, len(s), cap(s))
		}
		for i := range s {
			if s[i] != (lot{}) {
				t.Fatalf("makeLarge(%d)[%d] = %v, want zero", n, i, s[i])
			}
		}
		if n > 0 {
			s[n-1] = lot{1, 2}
		}
		if large := n*16 >= hugeFrom; large && uintptr(unsafe.Pointer(unsafe.SliceData(s)))%hugePage != 0 {
			t.Errorf("makeLarge(%d) starts at %p, not on a 2 MiB boundary", n, unsafe.SliceData(s))
		}
	}
}
