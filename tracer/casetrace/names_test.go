package casetrace

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// TestAccountNames stores names of every length, among them texts longer than a chunk and
// enough to fill several chunks, and reads each one back as it was given.
func TestAccountNames(t *testing.T) {
	type name struct{ id, kind, party string }
	var want []name
	for i := range 30_000 {
		n := name{id: fmt.Sprintf("bank:%d:%s", i, strings.Repeat("x", i%97)), kind: []string{"bank", "mto", "cash"}[i%3]}
		if i%5 != 0 {
			n.party = fmt.Sprintf("P%d", i*7)
		}
		switch i {
		case 7:
			n.id = strings.Repeat("i", nameChunk+1)
		case 8:
			n.party = strings.Repeat("p", nameChunk)
		case 9:
			n.id, n.party = "", ""
		}
		want = append(want, n)
	}
	names := newAccountNames(len(want))
	// Set in reverse order, as views of a buffer that is then overwritten (as Arrow's are):
	// the names keep copies.
	buf := make([]byte, 0, 2*nameChunk)
	view := func(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
	for i := len(want) - 1; i >= 0; i-- {
		w := want[i]
		buf = append(append(append(buf[:0], w.id...), w.kind...), w.party...)
		id, kind, party := view(buf[:len(w.id)]), view(buf[len(w.id):len(w.id)+len(w.kind)]), view(buf[len(w.id)+len(w.kind):])
		if err := names.set(int32(i), id, kind, party); err != nil {
			t.Fatal(err)
		}
	}
	if len(names.chunks) < 4 {
		t.Errorf("%d chunks: the test must fill several", len(names.chunks))
	}
	for i, w := range want {
		if got := (name{names.id(int32(i)), names.kindOf(int32(i)), names.party(int32(i))}); got != w {
			t.Fatalf("account %d: got %.40q, want %.40q", i, got, w)
		}
	}
	many := newAccountNames(300)
	var err error
	for i := range int32(300) {
		if err = many.set(i, "a", fmt.Sprint("kind", i), ""); err != nil {
			break
		}
	}
	if err == nil {
		t.Error("300 kinds of account: no error")
	}
}
