package match

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Rules, in the order they are tried. Stage 1 pairs by a payment identifier; stage 2, among
// what stage 1 left, by amount, direction and dates.
const (
	RuleUETR         = "uetr"
	RuleEndToEnd     = "end_to_end_id"
	RuleAmount       = "amount"         // same amount, same currency
	RuleAmountFee    = "amount_fee"     // receiving side lower within the fee tolerance
	RuleAmountFX     = "amount_fx"      // sender shows what the receiver got, in its currency
	RuleAmountFXBase = "amount_fx_base" // different currencies, compared in the base currency
)

// Confidences in basis points (1/10000), so that every comparison is between integers.
const (
	scoreUETR        = 10000
	scoreEndToEnd    = 9500
	scoreAmount      = 9000
	scoreAmountFee   = 8000
	scoreAmountFX    = 8000
	scoreAmountFXB   = 7000
	scorePerDay      = 400  // less per day between the two bookings (stage 2)
	scoreByName      = 1000 // less when a counterparty is known only by its name (stage 2)
	scoreByNameID    = 200  // the same for stage 1, where the identifier carries the evidence
	scoreFloor       = 500
	externalNameStem = "external:name:"
)

// side is one transaction that may be one half of a transfer between two statement accounts:
// a debit of a statement account in that account's export, or a credit of one in its export.
type side struct {
	ID           string
	Source       int64
	Seq          int64
	Day          time.Time // booking date
	From, To     string
	Amount       decimal.Decimal
	Currency     string
	Base         decimal.NullDecimal
	BaseCurrency string
	Received     decimal.NullDecimal
	ReceivedCcy  string
	EndToEnd     string
	UETR         string
	// Debit is true when the source is a statement of From, Credit when of To.
	Debit, Credit bool
}

// complete reports whether both accounts of the side are known by account, not only by a name.
func (s *side) complete() bool {
	return !strings.HasPrefix(s.From, externalNameStem) && !strings.HasPrefix(s.To, externalNameStem)
}

// universe is what the pairing knows about the case: the statement accounts and the name key
// of each one's holder.
type universe struct {
	statement map[string]bool
	holderKey map[string]string   // statement account -> name key of its holder
	byKey     map[string][]string // name key -> statement accounts, sorted
}

// edge is one candidate pair: d is the debit side (payer's export), c the credit side.
type edge struct {
	d, c     int
	stage    int
	rule     string
	score    int
	rel      decimal.Decimal // |difference| / sent amount: smaller is better
	days     int
	diff     decimal.Decimal
	diffCcy  string
	byName   string // the account known only by name, if any
	evidence string
}

// better orders edges best first: confidence, then the closer amount, then fewer days.
func better(a, b *edge) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	if c := a.rel.Cmp(b.rel); c != 0 {
		return c
	}
	return cmp.Compare(a.days, b.days)
}

func sameGoodness(a, b *edge) bool { return better(a, b) == 0 }

// params are the matching options the pairing needs.
type params struct {
	days int
	fee  Tolerance
	fx   Tolerance
}

// candidates builds every candidate edge between a debit side and a credit side that come from
// different sources, link the same two statement accounts and do not contradict each other's
// payment identifiers.
func candidates(sides []side, u universe, p params) []edge {
	credits := map[string][]int{} // statement account -> credit sides into it
	for i := range sides {
		if sides[i].Credit {
			credits[sides[i].To] = append(credits[sides[i].To], i)
		}
	}
	type key struct{ a, b int }
	best := map[key]int{}
	var edges []edge
	for di := range sides {
		d := &sides[di]
		if !d.Debit {
			continue
		}
		for _, b := range u.targets(d.To, d.From) {
			for _, ci := range credits[b] {
				c := &sides[ci]
				if ci == di || c.Source == d.Source {
					continue
				}
				dExact := d.To == b
				cExact := c.From == d.From
				cByName := !cExact && u.namedAs(c.From, d.From)
				if !cExact && !cByName || !dExact && !cExact {
					continue
				}
				e, ok := evaluate(d, c, p)
				if !ok {
					continue
				}
				e.d, e.c = di, ci
				switch {
				case !dExact:
					e.byName = b
				case cByName:
					e.byName = d.From
				}
				if e.byName != "" {
					if e.stage == 1 {
						e.score -= scoreByNameID
					} else {
						e.score = max(e.score-scoreByName, scoreFloor)
					}
				}
				k := key{min(di, ci), max(di, ci)}
				if j, seen := best[k]; seen {
					if better(&e, &edges[j]) < 0 {
						edges[j] = e
					}
					continue
				}
				best[k] = len(edges)
				edges = append(edges, e)
			}
		}
	}
	return edges
}

// targets gives the statement accounts a debit's counterparty can be: the account itself when
// it is a statement account, or every statement account (other than the payer) whose holder's
// name key is the one an account known only by name carries.
func (u universe) targets(to, from string) []string {
	if u.statement[to] {
		return []string{to}
	}
	k, ok := strings.CutPrefix(to, externalNameStem)
	if !ok || k == "" {
		return nil
	}
	var out []string
	for _, a := range u.byKey[k] {
		if a != from {
			out = append(out, a)
		}
	}
	return out
}

// namedAs reports whether cp is a name-only account carrying the name key of account's holder.
func (u universe) namedAs(cp, account string) bool {
	k, ok := strings.CutPrefix(cp, externalNameStem)
	return ok && k != "" && u.holderKey[account] == k
}

// evaluate decides whether d and c can be the two sides of one transfer and how well.
func evaluate(d, c *side, p params) (edge, bool) {
	days := int(c.Day.Sub(d.Day).Hours() / 24)
	absDays := max(days, -days)
	when := fmt.Sprintf("debit booked %s, credit %s", d.Day.Format(time.DateOnly), c.Day.Format(time.DateOnly))
	if d.UETR != "" && strings.EqualFold(d.UETR, c.UETR) {
		diff, ccy := decimal.Zero, ""
		if d.Currency == c.Currency {
			diff, ccy = d.Amount.Sub(c.Amount), d.Currency
		}
		return edge{stage: 1, rule: RuleUETR, score: scoreUETR, days: absDays, diff: diff, diffCcy: ccy,
			rel: decimal.Zero, evidence: "same UETR " + d.UETR + "; " + when}, true
	}
	if d.UETR != "" && c.UETR != "" {
		return edge{}, false // two different UETRs are two different payments
	}
	if absDays > p.days {
		return edge{}, false
	}
	amount, ok := compareAmounts(d, c, p)
	if !ok {
		return edge{}, false
	}
	e1, e2 := endToEnd(d.EndToEnd), endToEnd(c.EndToEnd)
	if e1 != "" && e1 == e2 {
		amount.stage, amount.rule, amount.score = 1, RuleEndToEnd, scoreEndToEnd
		amount.evidence = "same EndToEndId " + e1 + "; " + amount.evidence
	} else if e1 != "" && e2 != "" {
		return edge{}, false // two different end-to-end ids are two different payments
	} else {
		amount.stage = 2
		amount.score = max(amount.score-scorePerDay*absDays, scoreFloor)
	}
	amount.days = absDays
	amount.evidence += "; " + when
	return amount, true
}

// endToEnd gives an EndToEndId that identifies a payment, or "" for none or NOTPROVIDED.
func endToEnd(s string) string {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "NOTPROVIDED") {
		return ""
	}
	return s
}

// compareAmounts checks the received amount against the sent one: the same currency within the
// fee tolerance (never more received than sent); the sender's received amount and currency
// where its export shows them; else both base-currency amounts within the FX tolerance plus
// the fee tolerance.
func compareAmounts(d, c *side, p params) (edge, bool) {
	rel := func(diff, of decimal.Decimal) decimal.Decimal {
		if of.IsZero() {
			return decimal.Zero
		}
		return diff.Abs().DivRound(of, 12)
	}
	within := func(sent, got decimal.Decimal) (decimal.Decimal, bool) {
		diff := sent.Sub(got)
		return diff, !diff.IsNegative() && diff.LessThanOrEqual(p.fee.Allow(sent))
	}
	switch {
	case d.Currency == c.Currency:
		diff, ok := within(d.Amount, c.Amount)
		if !ok {
			return edge{}, false
		}
		if diff.IsZero() {
			return edge{rule: RuleAmount, score: scoreAmount, diff: diff, diffCcy: d.Currency, rel: decimal.Zero,
				evidence: "same amount " + money(d.Amount) + " " + d.Currency}, true
		}
		return edge{rule: RuleAmountFee, score: scoreAmountFee, diff: diff, diffCcy: d.Currency, rel: rel(diff, d.Amount),
			evidence: fmt.Sprintf("received %s %s is %s lower than sent %s (fee tolerance %s)",
				money(c.Amount), c.Currency, money(diff), money(d.Amount), p.fee)}, true
	case d.Received.Valid && d.ReceivedCcy == c.Currency:
		diff, ok := within(d.Received.Decimal, c.Amount)
		if !ok {
			return edge{}, false
		}
		return edge{rule: RuleAmountFX, score: scoreAmountFX, diff: diff, diffCcy: c.Currency, rel: rel(diff, d.Received.Decimal),
			evidence: fmt.Sprintf("sent %s %s to be received as %s %s; received %s %s",
				money(d.Amount), d.Currency, money(d.Received.Decimal), d.ReceivedCcy, money(c.Amount), c.Currency)}, true
	case d.Base.Valid && c.Base.Valid && d.BaseCurrency == c.BaseCurrency && d.BaseCurrency != "":
		diff := d.Base.Decimal.Sub(c.Base.Decimal)
		fx := p.fx.Allow(d.Base.Decimal)
		if diff.LessThan(fx.Neg()) || diff.GreaterThan(fx.Add(p.fee.Allow(d.Base.Decimal))) {
			return edge{}, false
		}
		return edge{rule: RuleAmountFXBase, score: scoreAmountFXB, diff: diff, diffCcy: d.BaseCurrency, rel: rel(diff, d.Base.Decimal),
			evidence: fmt.Sprintf("sent %s %s (%s %s), received %s %s (%s %s) at the stored rates: %s %s apart (FX tolerance %s, fee tolerance %s)",
				money(d.Amount), d.Currency, money(d.Base.Decimal), d.BaseCurrency, money(c.Amount), c.Currency, money(c.Base.Decimal), c.BaseCurrency,
				money(diff), d.BaseCurrency, p.fx, p.fee)}, true
	}
	return edge{}, false
}

// resolve pairs sides along edges, at most one pair per side: an edge is taken when it is the
// single best edge of both its sides; taken sides leave, and the rest is looked at again until
// nothing changes. Every decision depends only on the edges, never on the order they are
// looked at, so the same case gives the same pairs. A side whose best edges tie is never
// paired by a guess: it stays in the returned live edges, the ambiguous ones.
func resolve(n int, edges []edge, taken []bool) (pairs, live []edge) {
	for {
		bestOf := make([]int, n)
		tie := make([]bool, n)
		for i := range bestOf {
			bestOf[i] = -1
		}
		live = live[:0]
		for i := range edges {
			e := &edges[i]
			if taken[e.d] || taken[e.c] {
				continue
			}
			live = append(live, *e)
			for _, s := range []int{e.d, e.c} {
				switch {
				case bestOf[s] < 0:
					bestOf[s] = i
				case better(e, &edges[bestOf[s]]) < 0:
					bestOf[s], tie[s] = i, false
				case sameGoodness(e, &edges[bestOf[s]]):
					tie[s] = true
				}
			}
		}
		var round []edge
		for i := range edges {
			e := &edges[i]
			if taken[e.d] || taken[e.c] {
				continue
			}
			if bestOf[e.d] == i && bestOf[e.c] == i && !tie[e.d] && !tie[e.c] {
				round = append(round, *e)
			}
		}
		if len(round) == 0 {
			return pairs, live
		}
		for _, e := range round {
			taken[e.d], taken[e.c] = true, true
		}
		pairs = append(pairs, round...)
	}
}

// pairUp runs both stages over the sides and returns the pairs and the ambiguous edges.
// Sides left ambiguous by stage 1 (an identifier shared by more than two) are not offered to
// stage 2.
func pairUp(sides []side, u universe, p params) (pairs, ambiguous []edge) {
	all := candidates(sides, u, p)
	var s1, s2 []edge
	for _, e := range all {
		if e.stage == 1 {
			s1 = append(s1, e)
		} else {
			s2 = append(s2, e)
		}
	}
	taken := make([]bool, len(sides))
	pairs, amb1 := resolve(len(sides), s1, taken)
	for _, e := range amb1 {
		taken[e.d], taken[e.c] = true, true
	}
	p2, amb2 := resolve(len(sides), s2, taken)
	pairs = append(pairs, p2...)
	ambiguous = append(slices.Clone(amb1), amb2...)
	key := func(e edge) string { return sides[e.d].ID + "\x00" + sides[e.c].ID }
	slices.SortFunc(pairs, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.stage, b.stage), sides[a.d].Day.Compare(sides[b.d].Day),
			cmp.Compare(sides[a.d].Source, sides[b.d].Source), cmp.Compare(sides[a.d].Seq, sides[b.d].Seq), cmp.Compare(key(a), key(b)))
	})
	slices.SortFunc(ambiguous, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.stage, b.stage), cmp.Compare(sides[a.d].ID, sides[b.d].ID), cmp.Compare(sides[a.c].ID, sides[b.c].ID))
	})
	return pairs, ambiguous
}

// keep decides which side of a pair stays: the one that names both accounts when only one
// does (so that both statement accounts keep their movement), else the one ingested first.
func keep(a, b *side) (kept, dup *side) {
	if a.complete() != b.complete() {
		if a.complete() {
			return a, b
		}
		return b, a
	}
	if cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID)) <= 0 {
		return a, b
	}
	return b, a
}

// money writes an amount with at least two decimals, and more where it has them.
func money(d decimal.Decimal) string {
	s := d.String()
	if i := strings.IndexByte(s, '.'); i < 0 || len(s)-i-1 < 2 {
		return d.StringFixed(2)
	}
	return s
}
