package tracer

import "slices"

// store is one method's holdings of every non-exit account.
type store interface {
	// take removes c cents from account a, whose holdings are at least c, appending the
	// parts taken to out in the order the method takes them.
	take(a int32, c int64, out []lot) []lot
	// put credits parts to account a, in order.
	put(a int32, parts []lot)
	// holdings calls f for each lot or share of account a, whose balance is bal.
	holdings(a int32, bal int64, f func(Origin, int64))
	// held is the number of times holdings(a, bal, f) calls f, at most: an upper bound on
	// the account's positions that sizes the report without growing it.
	held(a int32, bal int64) int
}

func newStore(m Method, accounts int, org *origins, sp *splitter) store {
	switch m {
	case FIFO:
		return &dequeStore{q: newQueues(accounts)}
	case LIFO:
		return &dequeStore{q: newQueues(accounts), newestFirst: true}
	case ProRata:
		return &prorataStore{s: newShareStore(accounts), sp: sp}
	case LIBR:
		return &librStore{u: newQueues(accounts), t: newShareStore(accounts), org: org, sp: sp}
	case TaintedFirst:
		return &taintedFirstStore{t: newQueues(accounts), u: newQueues(accounts), org: org}
	case Poison:
		return &poisonStore{one: make([]Origin, accounts), org: org}
	}
	panic("tracer: unknown method " + m.String())
}

// dequeStore serves fifo (oldest first) and lifo (newest first).
type dequeStore struct {
	q           *queues
	newestFirst bool
}

func (s *dequeStore) take(a int32, c int64, out []lot) []lot {
	if s.newestFirst {
		out, _ = s.q.takeBack(a, c, out)
	} else {
		out, _ = s.q.takeFront(a, c, out)
	}
	return out
}

func (s *dequeStore) put(a int32, parts []lot) {
	for _, p := range parts {
		s.q.push(a, p)
	}
}

func (s *dequeStore) held(a int32, _ int64) int { return s.q.size(a) }

func (s *dequeStore) holdings(a int32, _ int64, f func(Origin, int64)) { s.q.each(a, f) }

// prorataStore keeps one share per origin per account.
type prorataStore struct {
	s  *shareStore
	sp *splitter
}

func (s *prorataStore) take(a int32, c int64, out []lot) []lot { return s.s.take(a, c, s.sp, out) }
func (s *prorataStore) put(a int32, parts []lot)               { s.s.add(a, parts, s.sp) }
func (s *prorataStore) held(a int32, _ int64) int              { return int(s.s.h[a].n) }
func (s *prorataStore) holdings(a int32, _ int64, f func(Origin, int64)) {
	var one [1]lot
	for _, l := range s.s.list(a, &one) {
		f(l.origin, l.cents)
	}
}

// positions writes account a's positions into pos (which has room for held(a) of them),
// sorted by origin, and returns their number: its shares, one per origin. A short list is
// sorted by insertion as it is written; a longer one through keys of origin (never negative)
// and index, kept in *scratch, sorted without a comparison function: through
// slices.SortFunc, sorting took two thirds of the report's time.
func (s *prorataStore) positions(a int32, pos []Position, scratch *[]uint64) int {
	var one [1]lot
	list := s.s.list(a, &one)
	n := 0
	if len(list) > 16 {
		keys := (*scratch)[:0]
		for i, l := range list {
			if l.cents > 0 {
				keys = append(keys, uint64(uint32(l.origin))<<32|uint64(i))
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			l := list[uint32(k)]
			pos[n] = Position{Holder: a, Origin: l.origin, Cents: l.cents}
			n++
		}
		*scratch = keys
		return n
	}
	for _, l := range list {
		if l.cents <= 0 {
			continue
		}
		k := n
		for k > 0 && pos[k-1].Origin > l.origin {
			pos[k] = pos[k-1]
			k--
		}
		pos[k] = Position{Holder: a, Origin: l.origin, Cents: l.cents}
		n++
	}
	return n
}

// librStore keeps untainted lots (clean and unexplained) in arrival order and tainted money
// as shares. A debit spends untainted lots first, so tainted money only falls; deposits of
// untainted money never raise it again. A debit takes what it can from the untainted lots,
// and the rest from the shares.
type librStore struct {
	u   *queues
	t   *shareStore
	org *origins
	sp  *splitter
}

func (s *librStore) take(a int32, c int64, out []lot) []lot {
	out, c = s.u.takeFront(a, c, out)
	if c > 0 {
		out = s.t.take(a, c, s.sp, out)
	}
	return out
}

func (s *librStore) put(a int32, parts []lot) {
	for i := 0; i < len(parts); {
		if !s.org.tainted(parts[i].origin) {
			s.u.push(a, parts[i])
			i++
			continue
		}
		j := i + 1
		for j < len(parts) && s.org.tainted(parts[j].origin) {
			j++
		}
		s.t.add(a, parts[i:j], s.sp)
		i = j
	}
}

func (s *librStore) held(a int32, _ int64) int {
	return s.u.size(a) + int(s.t.h[a].n)
}

func (s *librStore) holdings(a int32, _ int64, f func(Origin, int64)) {
	s.u.each(a, f)
	var one [1]lot
	for _, l := range s.t.list(a, &one) {
		f(l.origin, l.cents)
	}
}

// taintedFirstStore keeps tainted and untainted lots in two queues, each in arrival order,
// and spends the tainted queue first.
type taintedFirstStore struct {
	t, u *queues
	org  *origins
}

func (s *taintedFirstStore) take(a int32, c int64, out []lot) []lot {
	out, c = s.t.takeFront(a, c, out)
	if c > 0 {
		out, _ = s.u.takeFront(a, c, out)
	}
	return out
}

func (s *taintedFirstStore) put(a int32, parts []lot) {
	for _, p := range parts {
		if s.org.tainted(p.origin) {
			s.t.push(a, p)
		} else {
			s.u.push(a, p)
		}
	}
}

func (s *taintedFirstStore) held(a int32, _ int64) int {
	return s.t.size(a) + s.u.size(a)
}

func (s *taintedFirstStore) holdings(a int32, _ int64, f func(Origin, int64)) {
	s.t.each(a, f)
	s.u.each(a, f)
}

// poisonStore keeps, per account, the sorted set of tainted origins that ever reached it. A
// set of one origin, the usual case (beside other methods all seeds are one origin), sits in
// a 4-byte slot per account; a larger set is kept apart and the slot holds its number,
// negated. Sets never shrink.
type poisonStore struct {
	one  []Origin // per account: the single origin, 0 for none, or -(k+1) for sets[k]
	sets [][]Origin
	org  *origins
}

func (s *poisonStore) take(a int32, c int64, out []lot) []lot {
	switch o := s.one[a]; {
	case o > 0:
		out = append(out, lot{o, c})
	case o < 0:
		for _, o := range s.sets[-o-1] {
			out = append(out, lot{o, c})
		}
	}
	return out
}

// put merges the tainted origins of parts into a's set. Parts taken from another poisoned
// account come in origin order, so a linear merge usually suffices; it allocates only when
// the set grows.
func (s *poisonStore) put(a int32, parts []lot) {
	if o1 := s.one[a]; o1 >= 0 {
		k := 0
		for ; k < len(parts); k++ {
			o := parts[k].origin
			if !s.org.tainted(o) || o == o1 {
				continue
			}
			if o1 != 0 {
				break
			}
			o1 = o
		}
		if k == len(parts) {
			s.one[a] = o1
			return
		}
		s.sets = append(s.sets, []Origin{o1})
		s.one[a] = -Origin(len(s.sets))
		parts = parts[k:]
	}
	k := -s.one[a] - 1
	set := s.sets[k]
	missing, sorted := 0, true
	i := 0
	for j, p := range parts {
		if !s.org.tainted(p.origin) {
			continue
		}
		if j > 0 && p.origin < parts[j-1].origin {
			sorted = false
		}
		for i < len(set) && set[i] < p.origin {
			i++
		}
		if i == len(set) || set[i] != p.origin {
			missing++
		}
	}
	if missing == 0 && sorted {
		return
	}
	for _, p := range parts {
		if !s.org.tainted(p.origin) {
			continue
		}
		if j, found := slices.BinarySearch(set, p.origin); !found {
			set = slices.Insert(set, j, p.origin)
		}
	}
	s.sets[k] = set
}

func (s *poisonStore) held(a int32, bal int64) int {
	switch o := s.one[a]; {
	case bal <= 0 || o == 0:
		return 0
	case o > 0:
		return 1
	}
	return len(s.sets[-s.one[a]-1])
}

func (s *poisonStore) holdings(a int32, bal int64, f func(Origin, int64)) {
	if bal <= 0 {
		return
	}
	switch o := s.one[a]; {
	case o > 0:
		f(o, bal)
	case o < 0:
		for _, o := range s.sets[-o-1] {
			f(o, bal)
		}
	}
}
