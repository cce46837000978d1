package tracer

import (
	"sync"
	"unsafe"
)

// Memory faulted in ahead of use (Engine.Warm).
//
// The first write to fresh memory faults its pages in. On the virtual machine the benchmarks
// ran on, that cost about 2.5 ms per MiB even with huge pages (the host backs the guest's
// memory on its first touch): for prorata on 5M rows, whose lots took 85 MiB and whose
// positions 53 MiB, some 0.3 s of CPU time on the paths of the replay and of the report,
// which nothing else overlaps. A reader that feeds the replay from another goroutine
// (Prepare, then Replay) often waits for it with a core idle; Warm lets it fault in,
// meanwhile, the memory that the replay and the report will take next. The memory is the
// same either way: only who touches it first, and when, changes.

const (
	// warmGroups is the number of chunk groups (4 MiB each) kept ready for a slab that
	// grows; a slab starts to be warmed once it has taken a group of its own, so a small
	// replay is never warmed.
	warmGroups = 2
	// warmStep is the number of positions Warm faults in at a step (2 MiB), and
	// warmPositionsFrom the number of live lots from which it prepares a run's positions.
	warmStep          = hugePage / int(unsafe.Sizeof(Position{}))
	warmPositionsFrom = warmStep
)

// groupPool holds a slab's chunk groups faulted in ahead of need: Warm adds to it on one
// goroutine while the slab takes from it on the replay's.
type groupPool struct {
	mu    sync.Mutex
	ready [][]lot
	taken bool // the slab has taken a group
}

// take returns a ready group, or else a new one.
func (p *groupPool) take() []lot {
	p.mu.Lock()
	p.taken = true
	if n := len(p.ready); n > 0 {
		g := p.ready[n-1]
		p.ready = p.ready[:n-1]
		p.mu.Unlock()
		return g
	}
	p.mu.Unlock()
	return makeLarge[lot](chunkGroup * chunkLen)
}

// warm faults in one more group if the slab has taken one already and fewer than warmGroups
// are ready. It reports whether it did.
func (p *groupPool) warm() bool {
	p.mu.Lock()
	want := p.taken && len(p.ready) < warmGroups
	p.mu.Unlock()
	if !want {
		return false
	}
	g := makeLarge[lot](chunkGroup * chunkLen)
	faultIn(g)
	p.mu.Lock()
	p.ready = append(p.ready, g)
	p.mu.Unlock()
	return true
}

// faultIn writes to every 4 KiB page of s (zeros, as a new slice holds), so that the kernel
// backs it now.
func faultIn[T any](s []T) {
	var zero T
	step := max(1, 4096/int(unsafe.Sizeof(zero)))
	for i := 0; i < len(s); i += step {
		s[i] = zero
	}
}

// Warm faults in one step (2 to 4 MiB) of the memory that the replay and the report will take
// next, and reports whether there was a step to take: first the next chunks of the lots of a
// store that grows, then the positions of a run that holds many lots (as many as it holds
// now, and a sixteenth more). Warm is meant for the goroutine that feeds Prepare, when it
// would otherwise wait for Replay: it may run while Replay runs on another goroutine, but
// not at the same time as Prepare, Apply or Report. Warming changes no result.
func (e *Engine) Warm() bool {
	for _, r := range e.runs {
		for _, st := range r.slabs {
			if st.ready.warm() {
				return true
			}
		}
	}
	for _, r := range e.runs {
		if r.warmPositions() {
			return true
		}
	}
	return false
}

// warmPositions faults in one step of the run's positions for the report, up to its live lots
// and exits after the last batch replayed and a sixteenth more (what the last batches add
// beyond that, the report faults in itself). A run that outgrows the positions prepared
// starts again with room for twice its lots, and what was faulted in of the old ones goes to
// its lots' chunks (see recycle).
func (r *run) warmPositions() bool {
	est := int(r.lots.Load())
	if est < warmPositionsFrom {
		return false
	}
	if len(r.posWarm) < est {
		r.recycle(r.posWarm[:r.posReady])
		r.posWarm, r.posReady = makeLarge[Position](2*est), 0
	}
	want := min(len(r.posWarm), est+est/16)
	if r.posReady >= want {
		return false
	}
	end := min(r.posReady+warmStep, want)
	faultIn(r.posWarm[r.posReady:end])
	r.posReady = end
	return true
}

// groupPositions is the number of positions whose memory holds a chunk group of lots (see
// run.recycle): it must be whole (sixteen-byte lots on 64-bit systems, twelve on 32-bit).
const groupPositions = chunkGroup * chunkLen * int(unsafe.Sizeof(lot{})) / int(unsafe.Sizeof(Position{}))

var _ [0]struct{} = [groupPositions*int(unsafe.Sizeof(Position{})) - chunkGroup*chunkLen*int(unsafe.Sizeof(lot{}))]struct{}{}

// recycle hands the memory of positions faulted in, and no longer wanted, to the first of the
// run's slabs that grows, as whole chunk groups of lots: the run's lots usually grow with its
// positions, so the work of faulting them in is not lost. Neither type holds pointers, and a
// lot's alignment is no more than a position's.
func (r *run) recycle(pos []Position) {
	for _, st := range r.slabs {
		p := &st.ready
		p.mu.Lock()
		if p.taken {
			for len(pos) >= groupPositions {
				p.ready = append(p.ready, unsafe.Slice((*lot)(unsafe.Pointer(unsafe.SliceData(pos))), chunkGroup*chunkLen))
				pos = pos[groupPositions:]
			}
		}
		p.mu.Unlock()
		if len(pos) < groupPositions {
			return
		}
	}
}

// newPositions returns n zeroed positions for the report: those Warm prepared when there are
// enough, else new ones. The prepared ones are handed out once.
func (r *run) newPositions(n int) []Position {
	w := r.posWarm
	r.posWarm, r.posReady = nil, 0
	if len(w) >= n {
		return w[:n]
	}
	return makeLarge[Position](n)
}
