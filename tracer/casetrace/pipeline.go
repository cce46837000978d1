package casetrace

import (
	"errors"
	"sync/atomic"

	"github.com/moneytrail/moneytrail/tracer"
)

// pipeChunk is the number of transactions in one chunk handed from the reader to the replay
// (a variable for tests), and pipeDepth the number of chunks that may wait: the pipeline
// holds at most pipeDepth+2 chunks of about 1.5 MiB each (the rows and what the engine's
// first pass makes of them). Larger chunks did not replay faster, and their fresh memory
// cost 15,000 more page faults on 5M rows (some 0.2 s on a virtual machine).
var (
	pipeChunk = 1 << 14
	pipeDepth = 4
)

// errPipeStopped is what pipeline.add returns once the replay has failed or was abandoned:
// the reader stops, and close or abandon tells what happened.
var errPipeStopped = errors.New("replay stopped")

// pipeline replays batches in a goroutine of its own while the caller reads the next ones, so
// that the read (DuckDB's query and the conversion of its batches, or the spool) and the
// replay run on two cores at once. The caller adds batches in replay order; the replay sees
// them in that order, in chunks of copies. A first stage may run on the caller's goroutine
// as a chunk is handed on (the engine's shared pass, see replayer.start), the second runs
// on the pipeline's goroutine only.
type pipeline struct {
	stages
	full    chan *pipeBuf
	free    chan *pipeBuf
	cur     *pipeBuf
	done    chan struct{}
	err     error // the replay's error, read after done is closed
	stopped atomic.Bool
	applied atomic.Int64 // rows replayed, for progress
	closed  bool
}

// pipeBuf is one chunk: a batch and the label buffer it uses when the stream has labels, and
// what a first stage made of it for the second (see startStages).
type pipeBuf struct {
	b     tracer.Batch
	label []int32
	prep  tracer.Prepared
	err   error
}

// stages is the work of a pipeline. Only second is required.
type stages struct {
	// first runs on the reader's goroutine as each chunk is complete (in add or end), second
	// on the pipeline's goroutine, with every chunk in order until it returns an error.
	first  func(*pipeBuf)
	second func(*pipeBuf) error
	// ending runs on the reader's goroutine once the last chunk is handed on (in end, unless
	// the replay has stopped), while the replay works through the chunks still waiting.
	ending func()
}

// startStages starts a pipeline of the stages st.
func startStages(st stages) *pipeline {
	p := &pipeline{stages: st, full: make(chan *pipeBuf, pipeDepth), free: make(chan *pipeBuf, pipeDepth+2), done: make(chan struct{})}
	for range pipeDepth + 2 {
		p.free <- &pipeBuf{}
	}
	go p.run()
	return p
}

func (p *pipeline) run() {
	defer close(p.done)
	for c := range p.full {
		if !p.stopped.Load() {
			if err := p.second(c); err != nil {
				p.err = err
				p.stopped.Store(true)
			}
			p.applied.Add(int64(c.b.Len()))
		}
		p.free <- c
	}
}

// add copies b (valid only during the call) into the pipeline. It returns errPipeStopped once
// the replay has stopped; the reader should then stop and call close to learn why.
func (p *pipeline) add(b *tracer.Batch) error {
	for i := 0; i < b.Len(); {
		if p.stopped.Load() {
			return errPipeStopped
		}
		if p.cur == nil {
			p.cur = <-p.free
			c := &p.cur.b
			c.Txn, c.From, c.To, c.Cents, c.At = c.Txn[:0], c.From[:0], c.To[:0], c.Cents[:0], c.At[:0]
			c.Label, p.cur.label = nil, p.cur.label[:0]
		}
		c := &p.cur.b
		n := min(b.Len()-i, pipeChunk-c.Len())
		c.Txn, c.From, c.To = append(c.Txn, b.Txn[i:i+n]...), append(c.From, b.From[i:i+n]...), append(c.To, b.To[i:i+n]...)
		c.Cents = append(c.Cents, b.Cents[i:i+n]...)
		if b.At != nil {
			c.At = append(c.At, b.At[i:i+n]...)
		}
		if b.Label != nil {
			p.cur.label = append(p.cur.label, b.Label[i:i+n]...)
			c.Label = p.cur.label
		}
		i += n
		if c.Len() == pipeChunk {
			p.send()
		}
	}
	return nil
}

func (p *pipeline) send() {
	c := &p.cur.b
	if c.At != nil && len(c.At) == 0 {
		c.At = nil
	}
	if p.first != nil {
		p.first(p.cur)
	}
	p.full <- p.cur
	p.cur = nil
}

// end hands on the last rows and tells the replay that no more will come; done closes
// when it has replayed them. It is safe to call more than once.
func (p *pipeline) end() {
	if p.closed {
		return
	}
	if p.cur != nil && p.cur.b.Len() > 0 && !p.stopped.Load() {
		p.send()
	}
	p.closed = true
	close(p.full)
	if p.ending != nil && !p.stopped.Load() {
		p.ending()
	}
}

// close ends the input, waits for the replay to finish and returns its error.
func (p *pipeline) close() error {
	p.end()
	<-p.done
	return p.err
}

// abandon stops the replay, skipping the rows still waiting, and waits for its goroutine.
// It is safe to call after close.
func (p *pipeline) abandon() {
	p.stopped.Store(true)
	p.close()
}
