package resolve

import (
	"fmt"
	"strings"
)

// Attr is one piece of identity evidence about a party, with where it was read: a row of
// the case's party_attributes (see casedb) or of a screening list.
type Attr struct {
	// Kind is name, birth_date, country, phone, city, address, account, bic or id:TYPE.
	Kind  string
	Value string
	// Source names where the value was read (a file name, a list's entry id), Record the
	// line or entry in it (0: the file as a whole).
	Source string
	Record int64
}

// Party is what resolution knows about one party: its id and every attribute the sources
// give.
type Party struct {
	ID    string
	Attrs []Attr
	names []Name
	// vals caches values by kind: a party is compared with many others.
	vals map[string]map[string]Attr
}

// Names are the party's names as the sources spell them, prepared for comparison, each
// spelling once in the order of the attributes.
func (p *Party) Names() []Name {
	if p.names == nil {
		seen := map[string]bool{}
		for _, a := range p.Attrs {
			if a.Kind == "name" && !seen[a.Value] {
				seen[a.Value] = true
				if n := ParseName(a.Value); len(n.Words) > 0 {
					p.names = append(p.names, n)
				}
			}
		}
	}
	return p.names
}

// values are the party's attributes of one kind, each value with its first provenance;
// kind "id" takes the documents and registry numbers of every type (a number is compared
// whatever type each source calls it: a list's identifiers carry none).
func (p *Party) values(kind string) map[string]Attr {
	if v, ok := p.vals[kind]; ok {
		return v
	}
	if p.vals == nil {
		p.vals = map[string]map[string]Attr{}
	}
	out := map[string]Attr{}
	p.vals[kind] = out
	for _, a := range p.Attrs {
		if a.Kind != kind && !(kind == "id" && strings.HasPrefix(a.Kind, "id:")) {
			continue
		}
		v := normalise(a.Kind, a.Value)
		if v == "" {
			continue
		}
		if _, ok := out[v]; !ok {
			out[v] = a
		}
	}
	return out
}

// strongKind reports whether an attribute kind identifies one party by itself: an identity
// document or registry number, or a bank account the party holds.
func strongKind(kind string) bool { return strings.HasPrefix(kind, "id:") || kind == "account" }

// normalise is the comparable form of an attribute value: documents and accounts upper case
// without spaces or punctuation, at least 5 characters (shorter "numbers" are placeholders
// such as 0 or N/A); phones their last 9 digits (the national number without the country
// code or trunk prefix, so +381 64 1112223 and 064 1112223 agree), at least 8 digits; other
// values folded like names.
func normalise(kind, v string) string {
	switch {
	case strongKind(kind):
		var b strings.Builder
		for _, r := range strings.ToUpper(v) {
			if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ':' {
				b.WriteRune(r)
			}
		}
		if b.Len() < 5 {
			return ""
		}
		return b.String()
	case kind == "phone":
		var d []byte
		for _, r := range v {
			if r >= '0' && r <= '9' {
				d = append(d, byte(r))
			}
		}
		if len(d) < 8 {
			return ""
		}
		return string(d[max(0, len(d)-9):])
	case kind == "birth_date", kind == "country":
		return strings.ToUpper(strings.TrimSpace(v))
	}
	return ParseName(v).Key()
}

// Params are the thresholds of resolution. Each is a parameter so that an investigator can
// state and change it; DefaultParams says why each default is what it is.
type Params struct {
	// Suggest is the least name score at which two parties are listed as a candidate pair
	// when nothing else speaks for or against it.
	Suggest float64
	// Probable is the least name score at which names together with an agreeing birth date
	// or phone make a link that joins a cluster without a decision.
	Probable float64
	// NameFloor is the least name score at which a shared document or held account decides;
	// below it the names contradict the identifier (a shared family account, a typing error
	// in a number) and the pair is only suggested.
	NameFloor float64
	// MaxBlock is the largest group of parties sharing one word's sound key that is paired
	// off; larger groups (a common surname) are reached only through longer keys.
	MaxBlock int
}

// DefaultParams are the thresholds used unless the investigator sets others:
//   - Suggest 0.85: one word transliterated (0.95) or misspelt by a letter (about 0.95)
//     beside one word the same scores above it; one initial with a surname the same
//     (0.9) too; a feminine form (0.75) and a different first name sharing a surname
//     (Marko and Milan Petrović, 0.85 only when both first names share their first
//     letters) score below or at it.
//   - Probable 0.85: the same bar as a suggestion, since an agreeing birth date or phone
//     is what turns a suggestion into a probable link.
//   - NameFloor 0.6: above a single shared word (0.5 for one word of two the same, the
//     other unlike), so a document shared by two unlike names is not taken for one person.
//   - MaxBlock 50: a case's parties sharing a rare word are few; a word shared by more is
//     a common name, where a single word says nothing.
func DefaultParams() Params {
	return Params{Suggest: 0.85, Probable: 0.85, NameFloor: 0.6, MaxBlock: 50}
}

// Link statuses, strongest first.
const (
	// Confirmed and Rejected are the investigator's decisions.
	Confirmed = "confirmed"
	// Same is a link decided by a shared document or held account.
	Same = "same"
	// Probable is a link of names backed by a birth date or phone.
	Probable = "probable"
	// Suggested is a link of names alone: listed, never used until confirmed.
	Suggested = "suggested"
	// Rejected is a pair the investigator said are different parties.
	Rejected = "rejected"
)

// Link is a scored pair of parties (A < B) with the reasons for its score.
type Link struct {
	A, B   string
	Score  float64
	Status string
	// Reasons say what agrees and what disagrees, each with where it was read.
	Reasons []string
	// Decision is the number of the decision that set the status, 0 for none.
	Decision int
}

// Joins reports whether the link puts its two parties in one cluster.
func (l Link) Joins() bool {
	return l.Status == Confirmed || l.Status == Same || l.Status == Probable
}

// Compare scores one pair of parties with the reasons. It returns ok false when the pair
// is no candidate: names below the suggestion threshold without a shared identifier, or
// namesakes with different birth dates.
func Compare(a, b *Party, p Params) (Link, bool) {
	if a.ID > b.ID {
		a, b = b, a
	}
	l := Link{A: a.ID, B: b.ID}
	var best NameMatch
	var bestA, bestB Name
	for _, x := range a.Names() {
		for _, y := range b.Names() {
			if m := CompareNames(x, y); m.Score > best.Score || bestA.Raw == "" {
				best, bestA, bestB = m, x, y
			}
		}
	}
	l.Score = best.Score
	if bestA.Raw != "" {
		l.Reasons = append(l.Reasons, nameReason(bestA, bestB, best))
	}
	strong := append(shared(a, b, "id"), shared(a, b, "account")...)
	var agree, disagree []string
	// A birth date agrees only in full; a year alone (as lists give it) is no contradiction
	// of a full date in that year, and no support either.
	for _, s := range sharedWhere(a, b, "birth_date", func(v string) bool { return len(v) == len("2006-01-02") }) {
		agree = append(agree, s)
	}
	agree = append(agree, shared(a, b, "phone")...)
	if da, db := a.values("birth_date"), b.values("birth_date"); len(da) > 0 && len(db) > 0 && !compatibleDates(da, db) {
		disagree = append(disagree, fmt.Sprintf("different birth dates: %s and %s", list(da), list(db)))
	}
	weak := append(shared(a, b, "city"), shared(a, b, "address")...)
	l.Reasons = append(append(append(l.Reasons, strong...), agree...), weak...)
	l.Reasons = append(l.Reasons, disagree...)
	switch {
	case len(strong) > 0 && best.Score >= p.NameFloor:
		l.Status, l.Score = Same, 1
	case len(strong) > 0:
		l.Status = Suggested
		l.Reasons = append(l.Reasons, fmt.Sprintf("names differ (%.2f, under %.2f) despite the shared identifier: a family account or a typing error?", best.Score, p.NameFloor))
	case len(disagree) > 0:
		return l, false
	case len(agree) > 0 && best.Score >= p.Probable:
		l.Status = Probable
		// Each agreeing fact halves what the names leave in doubt; at most 0.98, so that a
		// cluster's confidence tells names and facts from a shared identifier (1).
		for range agree {
			l.Score += (1 - l.Score) / 2
		}
		l.Score = min(l.Score, 0.98)
	case best.Score >= p.Suggest:
		l.Status = Suggested
		l.Reasons = append(l.Reasons, "names alone: a suggestion until confirmed")
	default:
		return l, false
	}
	return l, true
}

// compatibleDates reports whether some birth date of one set agrees with one of the other,
// a partial date (1975, 1975-03) agreeing with every date it begins.
func compatibleDates(a, b map[string]Attr) bool {
	for x := range a {
		for y := range b {
			if strings.HasPrefix(x, y) || strings.HasPrefix(y, x) {
				return true
			}
		}
	}
	return false
}

// shared lists, as reasons, the values of one kind both parties have.
func shared(a, b *Party, kind string) []string {
	return sharedWhere(a, b, kind, func(string) bool { return true })
}

// sharedWhere lists, as reasons, the values of one kind both parties have that keep.
func sharedWhere(a, b *Party, kind string, keep func(string) bool) []string {
	va, vb := a.values(kind), b.values(kind)
	var out []string
	for _, v := range sortedKeys(va) {
		if _, ok := vb[v]; !ok || !keep(v) {
			continue
		}
		w := kindWord(va[v].Kind)
		if va[v].Kind == "id:listed" {
			w = kindWord(vb[v].Kind)
		}
		out = append(out, fmt.Sprintf("same %s %s (%s; %s)", w, va[v].Value, where(va[v]), where(vb[v])))
	}
	return out
}

// kindWord names an attribute kind in a reason.
func kindWord(kind string) string {
	switch {
	case strings.HasPrefix(kind, "id:"):
		return strings.ReplaceAll(strings.TrimPrefix(kind, "id:"), "_", " ") + " number"
	case kind == "account":
		return "account held"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// where is an attribute's provenance in words.
func where(a Attr) string {
	if a.Record == 0 {
		return a.Source
	}
	return fmt.Sprintf("%s record %d", a.Source, a.Record)
}

// list joins the values of a map in order.
func list(m map[string]Attr) string { return strings.Join(sortedKeys(m), ", ") }

// nameReason says how two names compared.
func nameReason(a, b Name, m NameMatch) string {
	var parts []string
	for _, w := range m.Words {
		switch w.How {
		case "same":
		case "sound":
			parts = append(parts, fmt.Sprintf("%s/%s one name transliterated", w.A, w.B))
		case "spelling":
			parts = append(parts, fmt.Sprintf("%s/%s spelt alike (%.2f)", w.A, w.B, w.Score))
		default:
			parts = append(parts, fmt.Sprintf("%s/%s %s", w.A, w.B, w.How))
		}
	}
	if m.Reordered {
		parts = append(parts, "words in another order")
	}
	if m.Unmatched > 0 {
		parts = append(parts, fmt.Sprintf("%d word(s) more in one name", m.Unmatched))
	}
	for _, f := range []string{a.Form, b.Form} {
		if f != "" {
			parts = append(parts, "legal form "+f+" left out")
		}
	}
	s := fmt.Sprintf("names %q and %q score %.2f", a.Raw, b.Raw, m.Score)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}
