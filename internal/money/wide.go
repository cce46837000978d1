package money

import "math/bits"

func mul64(a, b uint64) (hi, lo uint64) { return bits.Mul64(a, b) }

// div128 divides the 128-bit value hi:lo by c. The quotient of a share never exceeds the
// total, so it fits in 64 bits (hi < c always holds for our callers).
func div128(hi, lo, c uint64) (q, r uint64) { return bits.Div64(hi, lo, c) }
