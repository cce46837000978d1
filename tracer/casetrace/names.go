package casetrace

import (
	"fmt"
	"strings"
	"unsafe"
)

// accountNames is what names the accounts in the results (Outcome.names, by account index
// like Outcome.accounts): their ids, kinds and parties (party_id, "" when unknown). It is read
// in a forward trace while the transactions are, and only used after run.waitNames.
//
// It holds no pointer per account. The ids and parties are copied, one after the other, into
// large byte chunks, and each account keeps offsets into them; the few kinds are a table. A
// collection has nothing to scan in it, where one string header per field (12 MB on 250,000
// accounts) was scanned by every collection, faulting in pages not yet written.
type accountNames struct {
	chunks [][]byte
	cur    int // 1 + the chunk being filled, 0 for none
	rec    []nameRec
	kind   []uint8
	kinds  []string
}

// nameRec is where an account's id and party lie: chunks[chunk][at:at+id] and the party
// right after it.
type nameRec struct {
	chunk, at, id, party uint32
}

// nameChunk is the size of the chunks that hold the names' text.
const nameChunk = 1 << 20

func newAccountNames(n int) *accountNames {
	return &accountNames{rec: make([]nameRec, n), kind: make([]uint8, n)}
}

// set names account i. The strings are copied: they need only be valid during the call.
func (a *accountNames) set(i int32, id, kind, party string) error {
	k := -1
	for j, s := range a.kinds {
		if s == kind {
			k = j
			break
		}
	}
	if k < 0 {
		if len(a.kinds) == 256 {
			return fmt.Errorf("account names: more than 256 kinds of account")
		}
		k = len(a.kinds)
		a.kinds = append(a.kinds, strings.Clone(kind))
	}
	a.kind[i] = uint8(k)
	need := len(id) + len(party)
	if need > nameChunk {
		// Text longer than a chunk gets one of its own.
		a.chunks = append(a.chunks, make([]byte, 0, need))
		a.put(i, len(a.chunks)-1, id, party)
		return nil
	}
	if a.cur == 0 || cap(a.chunks[a.cur-1])-len(a.chunks[a.cur-1]) < need {
		a.chunks = append(a.chunks, make([]byte, 0, nameChunk))
		a.cur = len(a.chunks)
	}
	a.put(i, a.cur-1, id, party)
	return nil
}

func (a *accountNames) put(i int32, chunk int, id, party string) {
	c := a.chunks[chunk]
	a.rec[i] = nameRec{chunk: uint32(chunk), at: uint32(len(c)), id: uint32(len(id)), party: uint32(len(party))}
	a.chunks[chunk] = append(append(c, id...), party...)
}

// text returns n bytes of chunk c from at as a string without copying them: a chunk's bytes
// are never written again once appended.
func (a *accountNames) text(c, at, n uint32) string {
	if n == 0 {
		return ""
	}
	return unsafe.String(&a.chunks[c][at], n)
}

func (a *accountNames) id(i int32) string {
	r := a.rec[i]
	return a.text(r.chunk, r.at, r.id)
}

func (a *accountNames) party(i int32) string {
	r := a.rec[i]
	return a.text(r.chunk, r.at+r.id, r.party)
}

func (a *accountNames) kindOf(i int32) string { return a.kinds[a.kind[i]] }

func (a *accountNames) len() int { return len(a.rec) }
