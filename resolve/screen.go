package resolve

import (
	"sort"
	"strings"

	"github.com/moneytrail/moneytrail/internal/table"
)

// Hit is a party of the case that matches an entry of a screening list, scored and with
// its reasons as resolution gives them (Compare): "same" for a shared document number,
// "probable" for names with a birth date or phone, "suggested" for names alone.
type Hit struct {
	Party string
	Entry Entry
	Link  Link
}

// Screen compares every party with the list's entries that share a block key with it (see
// blockKeys) and returns the hits, by party, then score (highest first), then entry id. A
// word's sound key shared with more than p.MaxBlock entries of the list is a common word
// and pairs nothing by itself; every other key pairs all the parties and entries sharing it.
func Screen(parties []*Party, entries []Entry, p Params) []Hit {
	type side struct{ parties, entries []int }
	groups := map[string]*side{}
	at := func(k string) *side {
		g := groups[k]
		if g == nil {
			g = &side{}
			groups[k] = g
		}
		return g
	}
	for i, x := range parties {
		for _, k := range blockKeys(x) {
			at(k).parties = append(at(k).parties, i)
		}
	}
	for j, e := range entries {
		for _, k := range blockKeys(e.Party) {
			if g := groups[k]; g != nil {
				g.entries = append(g.entries, j)
			}
		}
	}
	seen := map[[2]int]bool{}
	var hits []Hit
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := groups[k]
		if strings.HasPrefix(k, "word:") && len(g.entries) > p.MaxBlock {
			continue
		}
		for _, i := range g.parties {
			for _, j := range g.entries {
				if seen[[2]int{i, j}] {
					continue
				}
				seen[[2]int{i, j}] = true
				l, ok := Compare(parties[i], entries[j].Party, p)
				if !ok {
					continue
				}
				// Compare orders a pair by id; a hit keeps the party first.
				hits = append(hits, Hit{Party: parties[i].ID, Entry: entries[j], Link: l})
			}
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.Party != b.Party {
			return a.Party < b.Party
		}
		if a.Link.Score != b.Link.Score {
			return a.Link.Score > b.Link.Score
		}
		return a.Entry.Party.ID < b.Entry.Party.ID
	})
	return hits
}

// HitsTable lists screening hits: party_id, entry_id, entry_name (the entry's first name),
// schema, status, score, reasons.
func HitsTable(hits []Hit) *table.Table {
	t := &table.Table{Columns: []string{"party_id", "entry_id", "entry_name", "schema", "status", "score", "reasons"}}
	for _, h := range hits {
		name := ""
		if ns := h.Entry.Party.Names(); len(ns) > 0 {
			name = ns[0].Raw
		}
		t.Rows = append(t.Rows, cells(h.Party, h.Entry.Party.ID, name, h.Entry.Schema, h.Link.Status, score(h.Link.Score), strings.Join(h.Link.Reasons, "; ")))
	}
	return t
}
