package rules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// ledger builds a ledger CSV case by hand: one row per payment, ids T001, T002, ...
type ledger struct{ rows []lrow }

type lrow struct {
	day                            int
	from, to, amount, channel, ref string
	tag                            int
}

// add books amount EUR from -> to on day d of January 2024.
func (l *ledger) add(d int, from, to, amount, channel, ref string) *ledger {
	l.rows = append(l.rows, lrow{d, from, to, amount, channel, ref, 0})
	return l
}

// merge appends other's rows with their account and party ids in namespace tag (see tagID),
// so that many hand-made cases share one case database without touching each other.
func (l *ledger) merge(other *ledger, tag int) *ledger {
	for _, r := range other.rows {
		r.tag = tag
		l.rows = append(l.rows, r)
	}
	return l
}

var ibanLike = regexp.MustCompile(`^([A-Z]{2})00([A-Z0-9]{8,30})$`)

// tagID puts an account, party or subject id into namespace tag (0: unchanged). IBAN-shaped
// ids keep their shape (and country): the tag replaces their check digits.
func tagID(id string, tag int) string {
	if tag == 0 {
		return id
	}
	if m := ibanLike.FindStringSubmatch(id); m != nil {
		return fmt.Sprintf("%s%02d%s", m[1], tag, m[2])
	}
	for _, p := range []string{"cash:", "external:", "asset:", "party:"} {
		if rest, ok := strings.CutPrefix(id, p); ok {
			if p == "party:" {
				return fmt.Sprintf("party:%s-%02d", rest, tag)
			}
			return fmt.Sprintf("%sc%02d-%s", p, tag, rest)
		}
	}
	return fmt.Sprintf("c%02d-%s", tag, id)
}

func (l *ledger) csv() string {
	var b strings.Builder
	b.WriteString("txn_id,booked_at,from_account,to_account,amount,currency,channel,reference\n")
	for i, r := range l.rows {
		fmt.Fprintf(&b, "T%03d,%s,%s,%s,%s,EUR,%s,%q\n", i+1, time.Date(2024, 1, r.day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
			tagID(r.from, r.tag), tagID(r.to, r.tag), r.amount, r.channel, r.ref)
	}
	return b.String()
}

// partyLinksFor links parties P1 (two collection accounts) and P9 (the organizer's account)
// in namespace tag.
func partyLinksFor(tag int) string {
	p1, p9 := strings.TrimPrefix(tagID("party:P1", tag), "party:"), strings.TrimPrefix(tagID("party:P9", tag), "party:")
	return fmt.Sprintf(`INSERT INTO parties(party_id, name) VALUES ('%s', 'Collector'), ('%s', 'Organizer');
	INSERT INTO party_links(party_id, account_id, role) VALUES ('%s', '%s', 'holder'), ('%s', '%s', 'holder'), ('%s', '%s', 'holder')`,
		p1, p9, p1, tagID("SI00COLLECT00001", tag), p1, tagID("HR00COLLECT00002", tag), p9, tagID("SI00ORGANIZER001", tag))
}

// newCase makes a case in a temporary directory and loads the ledger into it; setup SQL (if
// any) runs afterwards.
func newCase(t testing.TB, l *ledger, setup ...string) *casedb.DB {
	t.Helper()
	dir := t.TempDir()
	db, err := casedb.Open(context.Background(), ":memory:", casedb.Options{Create: true, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if l != nil {
		p := filepath.Join(dir, "ledger.csv")
		if err := os.WriteFile(p, []byte(l.csv()), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.File(context.Background(), db, p, ingest.Options{Format: ingest.FormatLedger}); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range setup {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return db
}

func mustLoad(t testing.TB, name string) *Pack {
	t.Helper()
	p, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func runPacks(t testing.TB, db *casedb.DB, params []string, names ...string) *Result {
	t.Helper()
	var packs []*Pack
	for _, n := range names {
		packs = append(packs, mustLoad(t, n))
	}
	return runLoaded(t, db, params, packs...)
}

func runLoaded(t testing.TB, db *casedb.DB, params []string, packs ...*Pack) *Result {
	t.Helper()
	o, err := ParseOverrides(params)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), sealed(t, db), packs, Options{Params: o, ToolVersion: "test", Tracer: testTracer, StartedAt: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Store(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return res
}

// sealed seals an in-memory test case for running packs on it; it stays writable (an
// in-memory database cannot be read-only), so the result can be stored into it.
func sealed(t testing.TB, db *casedb.DB) *casedb.DB {
	t.Helper()
	if err := db.SealMemory(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// isTagged tells whether a subject is in namespace tag.
func isTagged(subject string, tag int) bool {
	if m := regexp.MustCompile(`^[A-Z]{2}([0-9]{2})`).FindStringSubmatch(subject); m != nil {
		return m[1] == fmt.Sprintf("%02d", tag)
	}
	return strings.Contains(subject, fmt.Sprintf("c%02d-", tag)) || strings.HasSuffix(subject, fmt.Sprintf("-%02d", tag))
}

func subjectsOf(res *Result, rule string) []string {
	var s []string
	for _, f := range res.Findings {
		if f.RuleID == rule {
			s = append(s, f.Subject)
		}
	}
	return s
}

func TestBuiltinPacksCheck(t *testing.T) {
	for _, name := range Builtins() {
		t.Run(name, func(t *testing.T) {
			if err := Check(context.Background(), mustLoad(t, name)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// collection is a collector receiving from n senders in n countries, day 1..n, and taking
// 60% of it out in cash on day 30 (the collection rules' min_cash_share is 0.5, within
// cash_within of 30 days after the last receipt).
func collection(l *ledger, n int, collector string) *ledger {
	cc := []string{"DE", "AT", "IT", "FR", "NL", "BE", "SE"}
	for i := range n {
		l.add(1+i, fmt.Sprintf("%s00SENDER%06d", cc[i%len(cc)], i+1), collector, "2500.00", "mto_send", "MTCN")
	}
	l.add(30, collector, "cash:ATM", fmt.Sprintf("%d.00", 1500*n), "cash_withdrawal", "")
	return l
}

// scopedRules are the smuggling pack's rules that screen only the network by default
// (scope network); TestRulesFireAndStayQuiet checks their indicator on every account.
var scopedRules = []string{"structuring_mto", "cash_out", "pass_through", "round_amounts", "repeated_amounts", "route_countries", "logistics_spending"}

// scopeAll is the parameters of TestRulesFireAndStayQuiet: the scoped rules on every
// account, and the collection rules at the account rule's floor (min_senders 5; the party
// rule's own floor of 8 is pinned in TestRuleBoundaries) alone, the case's bar off
// (their many hand-made cases in one database would raise it; TestCollectionBar checks it).
func scopeAll() []string {
	p := []string{"collection_account.min_population=1000000", "collection_party.min_population=1000000",
		fmt.Sprintf("collection_party.min_senders=%d", collectionMin)}
	for _, r := range scopedRules {
		p = append(p, r+".scope=all")
	}
	return p
}

// collectionMin is the smuggling pack's default min_senders of the collection rules (their
// floor): that many distinct senders fire them, one fewer does not, in a case too small for
// the case's bar (min_population) or with it off.
const collectionMin = 5

// clients adds n bank transfers from distinct senders in several countries to account to:
// a company's customers, which the collection rules do not count by default.
func clients(l *ledger, n int, to string) *ledger {
	cc := []string{"BA", "RS", "MK", "HR", "SI", "AT"}
	for i := range n {
		l.add(1+i, fmt.Sprintf("%s00CLIENT%06d", cc[i%len(cc)], i+1), to, "4000.00", "transfer", "invoice")
	}
	return l
}

var partyLinks = partyLinksFor(0)

// TestRulesFireAndStayQuiet runs every rule of the built-in packs on a hand-made case where
// it must fire on the given subject and on one where it must not fire at all.
func TestRulesFireAndStayQuiet(t *testing.T) {
	type tc struct {
		pack, rule, subject string
		fire, quiet         func() *ledger
		setup               []string
	}
	mk := func() *ledger { return &ledger{} }
	cases := []tc{
		// Five senders within three days (defaults: 5 in 7 days), to an account that hears
		// from nobody else; quiet: five spread over fifteen days, and five in two days to an
		// account that gets six more in the following weeks (under min_share 0.5).
		{"typologies", "fan_in", "R",
			func() *ledger {
				l := mk()
				for i := 1; i <= 5; i++ {
					l.add(1+i%3, fmt.Sprintf("S%d", i), "R", "100", "transfer", "")
				}
				return l
			},
			func() *ledger {
				l := mk()
				for i := 1; i <= 5; i++ {
					l.add(i*3, fmt.Sprintf("S%d", i), "R", "100", "transfer", "")
				}
				// amounts each more than 1.25 times the last: no near-identical group (b)
				for i, amt := range []string{"100", "130", "170", "225", "290"} {
					l.add(1+(i+1)%2, fmt.Sprintf("S%d", i+1), "Q", amt, "transfer", "")
				}
				for i := 1; i <= 6; i++ {
					l.add(8+i*3, fmt.Sprintf("T%d", i), "Q", "100", "transfer", "")
				}
				return l
			}, nil},
		// (b) Three payments of 100.00, 110.00 and 125.00 on one day (125 = 1.25 x 100, the
		// band's edge, is in) from one sender to R, and a fourth of 120.00 from another sender
		// two months later: one finding with all four. Quiet: the third payment 125.01 (outside
		// the band), so the day's largest group is two.
		{"typologies", "fan_in", "R",
			func() *ledger {
				l := mk()
				for _, amt := range []string{"100.00", "110.00", "125.00"} {
					l.add(3, "S1", "R", amt, "transfer", "")
				}
				l.add(60, "S2", "R", "120.00", "transfer", "")
				return l
			},
			func() *ledger {
				l := mk()
				for _, amt := range []string{"100.00", "110.00", "125.01"} {
					l.add(3, "S1", "R", amt, "transfer", "")
				}
				l.add(60, "S2", "R", "120.00", "transfer", "")
				return l
			}, nil},
		{"typologies", "fan_out", "R",
			func() *ledger {
				l := mk()
				for i := 1; i <= 5; i++ {
					l.add(1+i%3, "R", fmt.Sprintf("B%d", i), "100", "transfer", "")
				}
				return l
			},
			func() *ledger {
				l := mk()
				for i := 1; i <= 4; i++ {
					l.add(1+i%3, "R", fmt.Sprintf("B%d", i), "100", "transfer", "")
				}
				for i := 1; i <= 5; i++ {
					l.add(1+i%2, "Q", fmt.Sprintf("B%d", i), "100", "transfer", "")
				}
				for i := 1; i <= 6; i++ {
					l.add(8+i*3, "Q", fmt.Sprintf("C%d", i), "100", "transfer", "")
				}
				return l
			}, nil},
		{"typologies", "cycle", "X",
			func() *ledger {
				return mk().add(1, "X", "Y", "1000", "transfer", "").add(2, "Y", "Z", "950", "transfer", "").add(3, "Z", "X", "900", "transfer", "")
			},
			func() *ledger {
				return mk().add(1, "X", "Y", "1000", "transfer", "").add(2, "Y", "Z", "950", "transfer", "").add(3, "Z", "X", "300", "transfer", "")
			}, nil},
		{"typologies", "scatter_gather", "S",
			func() *ledger {
				l := mk()
				for i := 1; i <= 3; i++ {
					l.add(1, "S", fmt.Sprintf("M%d", i), "1000", "transfer", "").add(2, fmt.Sprintf("M%d", i), "D", "980", "transfer", "")
				}
				return l
			},
			func() *ledger {
				l := mk()
				for i := 1; i <= 3; i++ {
					l.add(1, "S", fmt.Sprintf("M%d", i), "1000", "transfer", "").add(2, fmt.Sprintf("M%d", i), "D", "400", "transfer", "")
				}
				return l
			}, nil},
		// Six senders, then six receivers passing on 0.9 of it (defaults: 3 and 3 within 7
		// days, 0.8 to 1.1); quiet: the payments out come more than a week later.
		{"typologies", "gather_scatter", "G",
			func() *ledger {
				l := mk()
				for i := 1; i <= 6; i++ {
					l.add(1+i%3, fmt.Sprintf("A%d", i), "G", "500", "transfer", "")
				}
				for i := 1; i <= 6; i++ {
					l.add(4, "G", fmt.Sprintf("B%d", i), "450", "transfer", "")
				}
				return l
			},
			func() *ledger {
				l := mk()
				for i := 1; i <= 6; i++ {
					l.add(1+i%3, fmt.Sprintf("A%d", i), "G", "500", "transfer", "")
				}
				for i := 1; i <= 6; i++ {
					l.add(20, "G", fmt.Sprintf("B%d", i), "450", "transfer", "")
				}
				return l
			}, nil},
		{"typologies", "bipartite", "R1",
			func() *ledger {
				l := mk()
				for s := 1; s <= 3; s++ {
					for r := 1; r <= 3; r++ {
						l.add(1, fmt.Sprintf("S%d", s), fmt.Sprintf("R%d", r), "300", "transfer", "")
					}
				}
				return l
			},
			func() *ledger {
				l := mk()
				for s := 1; s <= 2; s++ {
					for r := 1; r <= 3; r++ {
						l.add(1, fmt.Sprintf("S%d", s), fmt.Sprintf("R%d", r), "300", "transfer", "")
					}
				}
				return l
			}, nil},
		{"typologies", "stack", "M1",
			func() *ledger {
				l := mk()
				for _, m := range []string{"M1", "M2"} {
					l.add(1, "S1", m, "300", "transfer", "").add(1, "S2", m, "300", "transfer", "")
					l.add(2, m, "T1", "290", "transfer", "").add(2, m, "T2", "290", "transfer", "")
				}
				return l
			},
			func() *ledger {
				l := mk()
				for _, m := range []string{"M1", "M2"} {
					l.add(1, "S1", m, "300", "transfer", "").add(1, "S2", m, "300", "transfer", "")
				}
				return l.add(2, "M1", "T1", "290", "transfer", "").add(2, "M1", "T2", "290", "transfer", "").add(2, "M2", "T1", "290", "transfer", "")
			}, nil},
		{"smuggling", "collection_account", "SI00COLLECT00001",
			func() *ledger { return collection(mk(), collectionMin, "SI00COLLECT00001") },
			func() *ledger {
				// One sender short by operator, and bank transfers from many countries (funnels
				// and customers paying a company) that are not fee collection.
				return clients(collection(mk(), collectionMin-1, "SI00COLLECT00001"), 6, "SI00COLLECT00001")
			}, nil},
		{"smuggling", "collection_party", "party:P1",
			func() *ledger {
				l := collection(mk(), collectionMin-2, "SI00COLLECT00001")
				// 4,500.00 taken out of the first account, 2,000.00 of the second: 52% of 12,500.00
				return l.add(5, "BE00SENDER000099", "HR00COLLECT00002", "2500", "mto_send", "").add(6, "SE00SENDER000098", "HR00COLLECT00002", "2500", "mto_send", "").
					add(10, "HR00COLLECT00002", "cash:ATM", "2000", "cash_withdrawal", "")
			},
			func() *ledger {
				// Enough senders, but all to one account; and to the other account only money
				// between the party's own accounts.
				return collection(mk(), collectionMin, "SI00COLLECT00001").add(20, "SI00COLLECT00001", "HR00COLLECT00002", "2500", "mto_send", "")
			}, []string{partyLinks}},
		{"smuggling", "collector_deposits", "party:P1",
			func() *ledger {
				return collection(mk(), collectionMin, "SI00COLLECT00001").
					add(16, "cash:branch-tuzla", "BA00FUNNEL000001", "9000", "cash_deposit", "Uplata gotovine, uplatilac COLLÉCTOR").
					add(18, "cash:branch-bihac", "BA00FUNNEL000001", "8500", "cash_deposit", "uplatilac: Collector")
			},
			func() *ledger {
				// Deposits by somebody else, and one naming the collector long after the collection.
				return collection(mk(), collectionMin, "SI00COLLECT00001").
					add(16, "cash:branch-tuzla", "BA00FUNNEL000001", "9000", "cash_deposit", "Uplata gotovine, uplatilac Organizer").
					add(50, "cash:branch-bihac", "BA00FUNNEL000001", "8500", "cash_deposit", "Uplata gotovine, uplatilac Collector")
			}, []string{partyLinks}},
		{"smuggling", "structuring_cash", "SI00DEPOSIT00001",
			func() *ledger {
				return mk().add(1, "cash:branch-a", "SI00DEPOSIT00001", "9500", "cash_deposit", "").add(5, "cash:branch-b", "SI00DEPOSIT00001", "9800", "cash_deposit", "")
			},
			func() *ledger {
				return mk().add(1, "cash:branch-a", "SI00DEPOSIT00001", "9500", "cash_deposit", "").add(5, "cash:branch-b", "SI00DEPOSIT00001", "5000", "cash_deposit", "")
			}, nil},
		// The collector's party (P1, holding SI00COLLECT00001) leads the suspects: collection
		// found it. Quiet: two ordinary payments, no rule fires, no suspect.
		{"smuggling", "suspects", "party:P1",
			func() *ledger { return collection(mk(), collectionMin, "SI00COLLECT00001") },
			func() *ledger {
				return mk().add(3, "DE00PAYER0000001", "SI00COLLECT00001", "123.45", "transfer", "").add(9, "SI00COLLECT00001", "external:shop", "67.80", "card", "")
			}, []string{"links"}},
		{"smuggling", "structuring_mto", "SI00SENDER000001",
			func() *ledger {
				l := mk()
				for i, a := range []string{"950", "900", "990"} {
					l.add(1+2*i, "SI00SENDER000001", "external:mto-wu", a, "mto_send", "MTCN")
				}
				return l
			},
			func() *ledger {
				l := mk()
				for i := range 3 {
					l.add(1+2*i, "SI00SENDER000001", "external:mto-wu", "500", "mto_send", "MTCN")
				}
				return l
			}, nil},
		{"smuggling", "cash_out", "SI00MULE00000001",
			func() *ledger {
				return mk().add(1, "DE00PAYER0000001", "SI00MULE00000001", "2000", "transfer", "").add(1, "SI00MULE00000001", "cash:atm", "1900", "cash_withdrawal", "").
					add(5, "DE00PAYER0000001", "SI00MULE00000001", "2000", "transfer", "").add(6, "SI00MULE00000001", "cash:atm", "1900", "cash_withdrawal", "")
			},
			func() *ledger {
				return mk().add(1, "DE00PAYER0000001", "SI00MULE00000001", "2000", "transfer", "").add(1, "SI00MULE00000001", "cash:atm", "500", "cash_withdrawal", "").
					add(5, "DE00PAYER0000001", "SI00MULE00000001", "2000", "transfer", "").add(9, "SI00MULE00000001", "cash:atm", "1900", "cash_withdrawal", "")
			}, nil},
		{"smuggling", "funnel_account", "BA00FUNNEL000001",
			func() *ledger {
				l := mk()
				for i, p := range []string{"sarajevo", "mostar", "tuzla"} {
					l.add(1+i, "cash:"+p, "BA00FUNNEL000001", "3000", "cash_deposit", "")
				}
				return l.add(4, "BA00FUNNEL000001", "cash:vienna", "8000", "cash_withdrawal", "")
			},
			func() *ledger {
				l := mk()
				for i, p := range []string{"sarajevo", "mostar", "tuzla"} {
					l.add(1+i, "cash:"+p, "BA00FUNNEL000001", "3000", "cash_deposit", "")
				}
				return l.add(4, "BA00FUNNEL000001", "cash:sarajevo", "8000", "cash_withdrawal", "")
			}, nil},
		{"smuggling", "pass_through", "SI00TRANSIT00001",
			func() *ledger {
				l := mk()
				for i := 1; i <= 3; i++ {
					l.add(i, "DE00PAYER0000001", "SI00TRANSIT00001", "2000", "transfer", "").add(i, "SI00TRANSIT00001", "AT00ONWARD000001", "1950", "transfer", "")
				}
				return l
			},
			func() *ledger {
				l := mk()
				for i := 1; i <= 3; i++ {
					l.add(i, "DE00PAYER0000001", "SI00TRANSIT00001", "2000", "transfer", "")
				}
				return l.add(3, "SI00TRANSIT00001", "AT00ONWARD000001", "1000", "transfer", "")
			}, nil},
		{"smuggling", "round_amounts", "SI00ROUND0000001",
			func() *ledger {
				l := mk()
				for i, a := range []string{"1000", "2000", "1500", "3000", "2500"} {
					l.add(1+i, fmt.Sprintf("DE00PAYER%07d", i), "SI00ROUND0000001", a, "transfer", "")
				}
				return l
			},
			func() *ledger {
				l := mk()
				for i, a := range []string{"1037.25", "2011.10", "1500", "3020.33", "2499.99"} {
					l.add(1+i, fmt.Sprintf("DE00PAYER%07d", i), "SI00ROUND0000001", a, "transfer", "")
				}
				return l
			}, nil},
		{"smuggling", "repeated_amounts", "SI00PRICE0000001",
			func() *ledger {
				l := mk()
				for i, a := range []string{"2500", "2510", "2520"} {
					l.add(1+i, fmt.Sprintf("DE00PAYER%07d", i), "SI00PRICE0000001", a, "transfer", "")
				}
				return l
			},
			func() *ledger {
				l := mk()
				for i, a := range []string{"2500", "3100", "4200"} {
					l.add(1+i, fmt.Sprintf("DE00PAYER%07d", i), "SI00PRICE0000001", a, "transfer", "")
				}
				return l
			}, nil},
		{"smuggling", "route_countries", "SI00PAYER0000001",
			func() *ledger {
				return mk().add(1, "SI00PAYER0000001", "TR00ROUTE0000001", "800", "transfer", "").add(2, "SI00PAYER0000001", "LY00ROUTE0000002", "700", "transfer", "")
			},
			func() *ledger {
				return mk().add(1, "SI00PAYER0000001", "AT00ROUTE0000001", "800", "transfer", "").add(2, "SI00PAYER0000001", "DE00ROUTE0000002", "700", "transfer", "")
			}, nil},
		{"smuggling", "logistics_spending", "SI00DRIVER000001",
			func() *ledger {
				return mk().add(1, "SI00DRIVER000001", "external:omv", "80", "card", "Fuel OMV Ljubljana").
					add(2, "SI00DRIVER000001", "external:hotel-zagreb", "240", "card", "Hotel Zagreb 3 rooms").
					add(3, "SI00DRIVER000001", "external:flixbus", "120", "card", "FlixBus ticket x4")
			},
			func() *ledger {
				return mk().add(1, "SI00DRIVER000001", "external:spar", "80", "card", "groceries").
					add(2, "SI00DRIVER000001", "external:spar", "40", "card", "groceries").
					add(3, "SI00DRIVER000001", "external:pharmacy", "12", "card", "pharmacy")
			}, nil},
		{"smuggling", "confiscation_accounts", "SI00ORGANIZER001",
			func() *ledger {
				return collection(mk(), collectionMin, "SI00COLLECT00001").add(7, "SI00COLLECT00001", "SI00ORGANIZER001", "10000", "transfer", "")
			},
			func() *ledger {
				return collection(mk(), collectionMin-1, "SI00COLLECT00001").add(7, "SI00COLLECT00001", "SI00ORGANIZER001", "10000", "transfer", "")
			}, nil},
		{"smuggling", "confiscation_parties", "party:P9",
			func() *ledger {
				return collection(mk(), collectionMin, "SI00COLLECT00001").add(7, "SI00COLLECT00001", "SI00ORGANIZER001", "10000", "transfer", "")
			},
			func() *ledger {
				return collection(mk(), collectionMin-1, "SI00COLLECT00001").add(7, "SI00COLLECT00001", "SI00ORGANIZER001", "10000", "transfer", "")
			}, []string{partyLinks}},
		{"smuggling", "organizer_ranking", "party:P9",
			func() *ledger {
				l := collection(collection(mk(), collectionMin, "SI00COLLECT00001"), collectionMin, "AT00COLLECT00003")
				return l.add(7, "SI00COLLECT00001", "SI00ORGANIZER001", "10000", "transfer", "").
					add(7, "AT00COLLECT00003", "SI00ORGANIZER001", "10000", "transfer", "")
			},
			func() *ledger {
				return collection(mk(), collectionMin-1, "SI00COLLECT00001").add(7, "SI00COLLECT00001", "SI00ORGANIZER001", "10000", "transfer", "")
			}, []string{partyLinks}},
		{"smuggling", "organizer_ranking", "HR00DIRECTOR0001",
			// Paid by one collecting account and dealing with a ranked organizer (P9, paid by
			// two); quiet when the organizer it deals with is not ranked (one collector only).
			func() *ledger {
				l := collection(collection(mk(), collectionMin, "SI00COLLECT00001"), collectionMin, "AT00COLLECT00003")
				return l.add(7, "SI00COLLECT00001", "SI00ORGANIZER001", "10000", "transfer", "").
					add(7, "AT00COLLECT00003", "SI00ORGANIZER001", "10000", "transfer", "").
					add(8, "SI00COLLECT00001", "HR00DIRECTOR0001", "5000", "transfer", "").
					add(15, "SI00ORGANIZER001", "HR00DIRECTOR0001", "2000", "transfer", "salary")
			},
			func() *ledger {
				l := collection(mk(), collectionMin, "SI00COLLECT00001")
				return l.add(7, "SI00COLLECT00001", "SI00ORGANIZER001", "10000", "transfer", "").
					add(8, "SI00COLLECT00001", "HR00DIRECTOR0001", "5000", "transfer", "").
					add(15, "SI00ORGANIZER001", "HR00DIRECTOR0001", "2000", "transfer", "salary")
			}, []string{partyLinks}},
		{"wealth", "bank_deposits", "party:P1",
			func() *ledger {
				return mk().add(1, "DE00PAYER0000001", "SI00COLLECT00001", "15000", "transfer", "")
			},
			func() *ledger {
				return mk().add(1, "DE00BANK00000001", "SI00COLLECT00001", "15000", "transfer", "loan agreement 2024/17").
					add(2, "HR00COLLECT00002", "SI00COLLECT00001", "15000", "transfer", "own account")
			}, []string{partyLinks}},
	}
	// All fire cases share one case database and all quiet cases another, each hand-made
	// case in its own namespace of account and party ids (tagID).
	covered := map[string]bool{}
	fire, quiet := &ledger{}, &ledger{}
	var fireSetup, quietSetup []string
	for i, c := range cases {
		covered[c.rule] = true
		fire.merge(c.fire(), i+1)
		quiet.merge(c.quiet(), i+1)
		if c.setup != nil {
			fireSetup = append(fireSetup, partyLinksFor(i+1))
			quietSetup = append(quietSetup, partyLinksFor(i+1))
		}
	}
	fired := runPacks(t, newCase(t, fire, fireSetup...), scopeAll(), Builtins()...)
	quiets := runPacks(t, newCase(t, quiet, quietSetup...), scopeAll(), Builtins()...)
	for i, c := range cases {
		want := tagID(c.subject, i+1)
		if got := subjectsOf(fired, c.rule); !slices.Contains(got, want) {
			t.Errorf("fire case: %s found %v, want %s (notes %v)", c.rule, got, want, fired.Notes)
		}
		for _, f := range quiets.Findings {
			if f.RuleID == c.rule && isTagged(f.Subject, i+1) {
				t.Errorf("quiet case: %s found %s, want nothing", c.rule, f.Subject)
			}
		}
	}
	for _, name := range Builtins() {
		for _, r := range mustLoad(t, name).Rules {
			if !covered[r.ID] {
				t.Errorf("rule %s.%s has no fire/quiet case", name, r.ID)
			}
		}
	}
}

// drop removes the rows sent by from.
func (l *ledger) drop(from string) *ledger {
	l.rows = slices.DeleteFunc(l.rows, func(r lrow) bool { return r.from == from })
	return l
}
