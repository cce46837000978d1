package tracer

// blockPool holds the lots that the per-account stores keep apart from an account's head
// (see queues and shareStore): blocks of 4, 8, 16... lots, named by a number, and reused
// through a free list per size once an account moves to a larger block or back to its head.
type blockPool struct {
	blocks [][]lot
	free   [maxClass + 1][]uint32 // per class: numbers of free blocks
}

const (
	minBlock = 4  // lots in a block of class 1: one cache line
	maxClass = 31 // a block of class c holds minBlock << (c-1) lots
)

func blockLen(class uint8) int { return minBlock << (class - 1) }

// block returns the first n lots of block ref.
func (p *blockPool) block(ref, n uint32) []lot { return p.blocks[ref][:n] }

// alloc returns the number of a free block of the class; a new block is zeroed.
func (p *blockPool) alloc(class uint8) uint32 {
	if f := p.free[class]; len(f) > 0 {
		p.free[class] = f[:len(f)-1]
		return f[len(f)-1]
	}
	if len(p.blocks) == 1<<32-1 {
		panic("tracer: more than 2^32 blocks of lots")
	}
	p.blocks = append(p.blocks, make([]lot, blockLen(class)))
	return uint32(len(p.blocks) - 1)
}

// release returns block ref, of the class, to the free list.
func (p *blockPool) release(class uint8, ref uint32) {
	p.free[class] = append(p.free[class], ref)
}
