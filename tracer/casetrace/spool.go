package casetrace

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/moneytrail/moneytrail/tracer"
)

// spoolChunk is the number of transactions in one chunk of a spool, 2 MiB of columns (a
// variable for tests).
var spoolChunk = 1 << 16

// spoolRowBytes is the size of one transaction in a spool file: rowid, amount and time as
// 8 bytes, the two account indexes as 4.
const spoolRowBytes = 8 + 4 + 4 + 8 + 8

// spool keeps the replay columns of the transactions read for the scope pass, in replay
// order, until the replay reads them back: full chunks go to a temporary file (deleted on
// close), so the memory it holds is one chunk whatever the size of the case. A small case
// never touches the disk.
type spool struct {
	chunk int // rows per chunk
	cur   tracer.Batch
	f     *os.File
	files int // chunks in the file
	rows  int64
	buf   []byte
}

func newSpool() *spool { return &spool{chunk: spoolChunk} }

// add appends b (At required) to the spool.
func (s *spool) add(b *tracer.Batch) error {
	for i := 0; i < b.Len(); {
		if s.cur.Txn == nil {
			s.cur = tracer.Batch{Txn: make([]int64, 0, s.chunk), From: make([]int32, 0, s.chunk), To: make([]int32, 0, s.chunk),
				Cents: make([]int64, 0, s.chunk), At: make([]int64, 0, s.chunk)}
		}
		c := &s.cur
		n := min(b.Len()-i, s.chunk-c.Len())
		c.Txn, c.From, c.To = append(c.Txn, b.Txn[i:i+n]...), append(c.From, b.From[i:i+n]...), append(c.To, b.To[i:i+n]...)
		c.Cents, c.At = append(c.Cents, b.Cents[i:i+n]...), append(c.At, b.At[i:i+n]...)
		s.rows += int64(n)
		i += n
		if c.Len() == s.chunk {
			if err := s.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes the current (full) chunk to the file, column by column, little-endian.
func (s *spool) flush() error {
	if s.f == nil {
		f, err := os.CreateTemp("", "moneytrail-trace-*.spool")
		if err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		s.f = f
	}
	c := &s.cur
	b := s.buf[:0]
	for _, v := range c.Txn {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	for _, v := range c.From {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, v := range c.To {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for _, v := range c.Cents {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	for _, v := range c.At {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	s.buf = b
	if _, err := s.f.Write(b); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.files++
	c.Txn, c.From, c.To, c.Cents, c.At = c.Txn[:0], c.From[:0], c.To[:0], c.Cents[:0], c.At[:0]
	return nil
}

// each hands the spooled transactions to fn in order, in batches valid only during fn.
func (s *spool) each(fn func(*tracer.Batch) error) error {
	if s.files > 0 {
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		n := s.chunk
		b := tracer.Batch{Txn: make([]int64, n), From: make([]int32, n), To: make([]int32, n), Cents: make([]int64, n), At: make([]int64, n)}
		buf := make([]byte, n*spoolRowBytes)
		for range s.files {
			if _, err := io.ReadFull(s.f, buf); err != nil {
				return fmt.Errorf("spool: %w", err)
			}
			p := buf
			for i := range n {
				b.Txn[i] = int64(binary.LittleEndian.Uint64(p[8*i:]))
			}
			p = p[8*n:]
			for i := range n {
				b.From[i] = int32(binary.LittleEndian.Uint32(p[4*i:]))
			}
			p = p[4*n:]
			for i := range n {
				b.To[i] = int32(binary.LittleEndian.Uint32(p[4*i:]))
			}
			p = p[4*n:]
			for i := range n {
				b.Cents[i] = int64(binary.LittleEndian.Uint64(p[8*i:]))
			}
			p = p[8*n:]
			for i := range n {
				b.At[i] = int64(binary.LittleEndian.Uint64(p[8*i:]))
			}
			if err := fn(&b); err != nil {
				return err
			}
		}
	}
	if s.cur.Len() > 0 {
		return fn(&s.cur)
	}
	return nil
}

// close removes the spool's file.
func (s *spool) close() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
	}
}
