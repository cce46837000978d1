package ingest

import (
	"sort"
	"strings"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// deriveParties names a party for every account the batch gives a name for, where the reader
// did not link one itself (money-transfer records do): the holder named on a statement, the
// name given with a counterparty account, or the name that is all an entry says about its
// counterparty. The party id is canon.NameKey(name) (seed and subject "party:" + id), so one name spelled in Latin
// or Cyrillic, with or without diacritics, is one party across banks: a candidate identity
// for the investigator, which the link's confidence and reason qualify.
func deriveParties(b *canon.Batch) {
	linked := map[string]bool{}
	for _, l := range b.PartyLinks {
		linked[l.AccountID] = true
	}
	rawName := map[string]string{}
	for _, t := range b.Txns {
		for _, id := range []string{t.From, t.To} {
			if strings.HasPrefix(id, "external:name:") && rawName[id] == "" {
				name, _, _ := strings.Cut(t.Counterparty, " | ")
				rawName[id] = strings.TrimSpace(name)
			}
		}
	}
	type cand struct {
		account, name, reason string
		confidence            float64
	}
	var cands []cand
	for _, a := range mergeAccounts(*b) {
		if linked[a.ID] {
			continue
		}
		switch {
		case a.HolderName != "" && a.Statement:
			cands = append(cands, cand{a.ID, a.HolderName, "account holder named in the statement", 1})
		case a.HolderName != "":
			cands = append(cands, cand{a.ID, a.HolderName, "name given with the counterparty account in an entry", 0.9})
		case strings.HasPrefix(a.ID, "external:name:"):
			name := rawName[a.ID]
			if canon.NameKey(name) != strings.TrimPrefix(a.ID, "external:name:") {
				name = strings.TrimPrefix(a.ID, "external:name:")
			}
			cands = append(cands, cand{a.ID, name, "only a name is given for the counterparty, no account", 0.7})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].account < cands[j].account })
	for _, c := range cands {
		key := canon.NameKey(c.name)
		if key == "" {
			continue
		}
		id := key
		b.Parties = append(b.Parties, canon.Party{ID: id, Name: strings.TrimSpace(c.name), Kind: "unknown"})
		b.PartyLinks = append(b.PartyLinks, canon.PartyLink{PartyID: id, AccountID: c.account, Role: "holder",
			Confidence: c.confidence, Reason: c.reason})
	}
}
