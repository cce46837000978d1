package tracer

import "slices"

// slab holds the lots that the per-account stores keep apart from an account's head, in
// blocks of 4, 8, 16... lots carved from chunks of 65,536 lots and reused through free lists
// per size. It holds no pointers for the collector to scan, a block of 4 lots fills one cache
// line and growing the slab never copies it. A block is named by its offset.
type slab struct {
	// chunks hold the blocks: a block's offset o is lot o%chunkLen of chunks[o/chunkLen].
	// A block longer than a chunk has a chunk of its own, followed by nil chunks that keep
	// its offsets.
	chunks    [][]lot
	cur       int                    // the chunk that blocks are carved from
	next, end int                    // its unused offsets
	free      [maxClass + 1][]uint32 // per class: offsets of free blocks
	spare     [][]lot                // empty chunks allocated with others, for the next ones
	ready     groupPool              // groups faulted in ahead of need (see Engine.Warm)
}

const (
	minBlock  = 4  // lots in a block of class 1: one cache line
	maxClass  = 31 // a block of class c holds minBlock << (c-1) lots
	chunkBits = 16
	chunkLen  = 1 << chunkBits
	// chunkGroup is the number of chunks allocated at once (4 MiB, see makeLarge).
	chunkGroup = 4
)

func blockLen(class uint8) int { return minBlock << (class - 1) }

// block returns the first n lots of the block at offset ref.
func (st *slab) block(ref, n uint32) []lot {
	i := ref & (chunkLen - 1)
	// A chunk's blocks lie within its capacity, not always its length.
	return st.chunks[ref>>chunkBits][i : i+n]
}

// alloc returns the offset of a free block of the class.
func (st *slab) alloc(class uint8) uint32 {
	if f := st.free[class]; len(f) > 0 {
		st.free[class] = f[:len(f)-1]
		return f[len(f)-1]
	}
	size := blockLen(class)
	if size >= chunkLen {
		off := st.newChunks(size)
		for range size/chunkLen - 1 {
			st.chunks = append(st.chunks, nil)
		}
		return off
	}
	if st.end-st.next < size {
		if st.end > 0 {
			// The rest of the chunk, smaller than the block, becomes free blocks.
			st.end = min(st.end, st.cur<<chunkBits+cap(st.chunks[st.cur]))
			for c := class - 1; c >= 1; c-- {
				for st.end-st.next >= blockLen(c) {
					st.free[c] = append(st.free[c], uint32(st.next))
					st.next += blockLen(c)
				}
			}
		}
		st.cur = len(st.chunks)
		st.next = int(st.newChunks(0))
		st.end = st.next + chunkLen
	}
	off := st.next
	st.next += size
	// Only the first chunk starts small (for the many small replays) and grows.
	if c := &st.chunks[st.cur]; st.next-st.cur<<chunkBits > cap(*c) {
		used := st.next - st.cur<<chunkBits
		*c = slices.Grow((*c)[:cap(*c)], min(chunkLen, max(2*cap(*c), used))-cap(*c))
	}
	return uint32(off)
}

// newChunks appends a chunk that will hold size lots (size 0: a chunk to carve blocks from)
// and returns its offset.
func (st *slab) newChunks(size int) uint32 {
	off := len(st.chunks) << chunkBits
	if int64(off)+int64(max(size, chunkLen)) > 1<<32 {
		panic("tracer: shares beyond 2^32 lots")
	}
	switch {
	case size > 0:
		st.chunks = append(st.chunks, make([]lot, size))
	case len(st.chunks) == 0:
		st.chunks = append(st.chunks, make([]lot, 0, 64))
	default:
		// Full chunks come a few at a time, from memory that may be backed by huge pages.
		if len(st.spare) == 0 {
			g := st.ready.take()
			for i := range chunkGroup {
				st.spare = append(st.spare, g[i*chunkLen:i*chunkLen:(i+1)*chunkLen])
			}
		}
		st.chunks = append(st.chunks, st.spare[0])
		st.spare = st.spare[1:]
	}
	return uint32(off)
}

// release returns the block of the class at offset ref to the free list.
func (st *slab) release(class uint8, ref uint32) {
	st.free[class] = append(st.free[class], ref)
}
