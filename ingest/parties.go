package ingest

import (
	"context"
	"database/sql"
	"fmt"
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

// partyAttr is one piece of identity evidence about a party (a party_attributes row without
// its source id): see casedb's party_attributes for the kinds.
type partyAttr struct {
	party, kind, value string
	record             int
}

// partyAttributes lists what the batch says about who each of its parties is: every spelling
// of the name, the birth date, country, identity documents, phone and city a reader gave
// (canon.Party.Identifiers, "type:value" items), and the bank accounts and BICs the party is
// the holder of (a shared IBAN holder is strong evidence for entity resolution; operators'
// pseudo-accounts and name-only counterparties are not accounts anyone holds). Each comes
// with the first record that mentions one of the party's accounts, 0 when none does (a
// statement's header): readers give a party's details once per file, not per record.
// The list is sorted and without repeats, so the same file gives the same rows.
func partyAttributes(b canon.Batch) []partyAttr {
	first := map[string]int{}
	for _, t := range b.Txns {
		for _, id := range []string{t.From, t.To} {
			if r, ok := first[id]; !ok || t.Record < r {
				first[id] = t.Record
			}
		}
	}
	record := map[string]int{}
	for _, l := range b.PartyLinks {
		pid := partyID(l.PartyID)
		if r, ok := first[l.AccountID]; ok {
			if q, seen := record[pid]; !seen || q == 0 || r < q {
				record[pid] = r
			}
		} else if _, seen := record[pid]; !seen {
			record[pid] = 0
		}
	}
	seen := map[partyAttr]bool{}
	var out []partyAttr
	add := func(pid, kind, value string) {
		value = strings.TrimSpace(value)
		if pid == "" || value == "" {
			return
		}
		a := partyAttr{pid, kind, value, record[pid]}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, p := range b.Parties {
		pid := partyID(p.ID)
		add(pid, "name", p.Name)
		if !p.BirthDate.IsZero() {
			add(pid, "birth_date", p.BirthDate.Format("2006-01-02"))
		}
		add(pid, "country", strings.ToUpper(p.Country))
		for _, item := range strings.FieldsFunc(p.Identifiers, func(r rune) bool { return r == ',' || r == ';' }) {
			kind, value, ok := strings.Cut(strings.TrimSpace(item), ":")
			if !ok {
				add(pid, "id:unknown", strings.Join(strings.Fields(item), ""))
				continue
			}
			switch kind = strings.ToLower(strings.TrimSpace(kind)); kind {
			case "phone":
				add(pid, "phone", strings.Join(strings.Fields(value), ""))
			case "city", "address", "country":
				add(pid, kind, value)
			default:
				add(pid, "id:"+kind, strings.ToUpper(strings.Join(strings.Fields(value), "")))
			}
		}
	}
	accts := map[string]canon.Account{}
	for _, a := range mergeAccounts(b) {
		accts[a.ID] = a
	}
	for _, l := range b.PartyLinks {
		a, ok := accts[l.AccountID]
		if l.Role != "holder" || !ok || a.Kind != canon.KindBank {
			continue
		}
		pid := partyID(l.PartyID)
		add(pid, "account", a.ID)
		add(pid, "bic", strings.ToUpper(a.BIC))
	}
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i], out[j]
		if x.party != y.party {
			return x.party < y.party
		}
		if x.kind != y.kind {
			return x.kind < y.kind
		}
		return x.value < y.value
	})
	return out
}

// storePartyAttributes adds a file's party attributes to the case under its source id, in
// statements of a few hundred rows: a file names parties by the hundred, not by the million.
func storePartyAttributes(ctx context.Context, tx *sql.Tx, sid int64, attrs []partyAttr) error {
	const chunk = 500
	for len(attrs) > 0 {
		n := min(chunk, len(attrs))
		var q strings.Builder
		q.WriteString(`INSERT INTO party_attributes VALUES `)
		args := make([]any, 0, 5*n)
		for i, a := range attrs[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, a.party, a.kind, a.value, sid, int64(a.record))
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("store party attributes: %w", err)
		}
		attrs = attrs[n:]
	}
	return nil
}
