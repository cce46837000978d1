package camt

import (
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/canon/canontest"
	"github.com/moneytrail/moneytrail/internal/corpus"
	"github.com/shopspring/decimal"
)

// stmtWant is what one statement of a corpus file holds, worked out from the raw XML
// independently of this package (a Python ElementTree script over every <Ntry> and <Bal>):
// the number of entries, the sums of all CRDT and DBIT entry amounts (any status), the
// opening (OPBD, else PRCD) and closing (CLBD) balances signed by their CdtDbtInd, and
// whether opening + booked credits - booked debits = closing.
type stmtWant struct {
	entries          int
	credits, debits  string
	opening, closing string
	reconciles       bool
}

// corpusWant lists every file of ../shared/corpus/camt. quarantined is the number of entries
// this reader quarantines (entries without any date); the amounts of those entries are
// recovered from their raw text so the sums still match the independent figures. warnings
// is the number of entries loaded with a warning (anonymised counterparty IBANs that fail
// their check).
var corpusWant = []struct {
	file        string
	wantErr     bool
	quarantined int
	warnings    int
	stmts       []stmtWant
}{
	{file: "fertkir__ofxstatement-rs-altabanka__sample-xml-statement.xml", wantErr: true},
	{file: "genkgo__camt__camt052.v1.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt052.v2.other-account.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt052.v2.with-account-name.xml", quarantined: 1, stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt052.v2.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt052.v4.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt052.v6.Amt-zero.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt052.v6.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt052.v8.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt053.v2.all-balance-types.xml", stmts: []stmtWant{{1, "8.850", "0", "1.01", "4.04", false}}},
	{file: "genkgo__camt__camt053.v2.five.decimals.xml", stmts: []stmtWant{{1, "8.850", "0", "18.150", "27.050", false}}},
	{file: "genkgo__camt__camt053.v2.minimal.ultimate.xml", stmts: []stmtWant{{1, "8.85", "0", "18.15", "-27.00", false}}},
	{file: "genkgo__camt__camt053.v2.minimal.xml", stmts: []stmtWant{{1, "8.85", "0", "18.15", "-27.00", false}}},
	{file: "genkgo__camt__camt053.v2.multi.statement.xml", stmts: []stmtWant{{1, "8.85", "0", "18.15", "27.00", true}, {1, "0", "7.00", "27.00", "20.00", true}}},
	{file: "genkgo__camt__camt053.v2.with-account-name.xml", stmts: []stmtWant{{1, "8.85", "0", "", "", false}}},
	{file: "genkgo__camt__camt053.v2.with-party-ids.xml", stmts: []stmtWant{{1, "8.85", "0", "18.15", "-27.00", false}}},
	{file: "genkgo__camt__camt053.v2.wrong.xml", wantErr: true},
	{file: "genkgo__camt__camt053.v3.xml", stmts: []stmtWant{{1, "8.85", "0", "18.15", "-27.00", false}}},
	{file: "genkgo__camt__camt053.v4.xml", stmts: []stmtWant{{1, "8.85", "0", "18.15", "-27.00", false}}},
	{file: "genkgo__camt__camt053.v8.xml", stmts: []stmtWant{{1, "8.85", "0", "18.15", "-27.00", false}}},
	{file: "genkgo__camt__camt054.v2.with-account-name.xml", quarantined: 1, stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt054.v2.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt054.v4.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt054.v8-with-UETR.xml", quarantined: 1, stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt054.v8-with-financial-institution.xml", quarantined: 1, stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt054.v8.xml", stmts: []stmtWant{{1, "0", "200000", "", "", false}}},
	{file: "genkgo__camt__camt53.only-Dt-with-DtTm.xml", stmts: []stmtWant{{0, "0", "0", "5442.09000", "", false}}},
	{file: "kedder__ofxstatement-iso20022__camt052.xml", warnings: 5, stmts: []stmtWant{{5, "2.50", "253.90", "268.35", "16.95", true}}},
	{file: "kedder__ofxstatement-iso20022__camt053.xml", stmts: []stmtWant{{1, "1284.30", "0", "832.01", "2116.31", true}}},
	{file: "kedder__ofxstatement-iso20022__davider80.xml", stmts: []stmtWant{{16, "368", "4047.85", "9433.31", "5753.46", true}}},
	{file: "kedder__ofxstatement-iso20022__gcamp6.xml", stmts: []stmtWant{{5, "13010.00", "0", "0.00", "10000.00", false}}},
	{file: "kedder__ofxstatement-iso20022__simple.xml", stmts: []stmtWant{{4, "0", "181.01", "306.53", "125.52", true}}},
	{file: "moov-io__iso20022__200519_camt.052_P_CH2909000000250094239_1110092686_0_2019042416072347.xml", stmts: []stmtWant{{2, "0", "1016.00", "208509.19", "", false}}},
	{file: "moov-io__iso20022__200519_camt.054-Credit_P_CH2909000000250094239_1110092691_0_2019042421291293.xml", stmts: []stmtWant{{1, "1500.00", "0", "", "", false}}},
	{file: "moov-io__iso20022__200519_camt.054-Debit_P_CH2909000000250094239_1110092692_0_2019042401501580.xml", stmts: []stmtWant{{1, "0", "913.00", "", "", false}}},
	{file: "moov-io__iso20022__200519_camt054-ESR-ASR_P_CH2909000000250094239_1110092704_0_2019042500372179.xml", stmts: []stmtWant{{2, "1537.00", "147.00", "", "", false}}},
	{file: "moov-io__iso20022__200519_camt054-returns_p_ch2909000000250094239_1109800798_0_2019052023472022.xml", stmts: []stmtWant{{1, "400.00", "0", "", "", false}}},
	{file: "moov-io__iso20022__200924_camt.054_P_CH2909000000250094239_1110092703_0_2019042423412214.xml", stmts: []stmtWant{{1, "1500.00", "0", "", "", false}}},
	{file: "moov-io__iso20022__FI_camt_052_sample.xml.xml", stmts: []stmtWant{{1, "2120.00", "0", "", "", false}, {1, "100.00", "0", "", "", false}}},
	{file: "moov-io__iso20022__FI_camt_054_sample.xml.xml", stmts: []stmtWant{{6, "5600.00", "5230.05", "", "", false}}},
	{file: "moov-io__iso20022__statement_1.xml", warnings: 4, stmts: []stmtWant{{4, "0", "2768.08", "", "", false}}},
	{file: "zoltansebestyen__ofxstatement-unicredithu__STATEMENT_12345678_20171130.xml", warnings: 4, stmts: []stmtWant{{7, "125456.00", "422823.00", "123456.14", "123457.14", false}, {2, "100999.00", "0", "1234567.21", "1234568.74", false}}},
	{file: "zoltansebestyen__ofxstatement-unicredithu__STATEMENT_12345678_20171130_multi_stmt.xml", stmts: []stmtWant{{0, "0", "0", "123456.14", "123457.14", false}, {0, "0", "0", "123456.14", "123457.14", false}}},
}

var (
	rawAmt = regexp.MustCompile(`<Amt Ccy="[A-Z]{3}">([0-9.]+)</Amt>`)
	rawCDI = regexp.MustCompile(`<CdtDbtInd>(CRDT|DBIT)</CdtDbtInd>`)
)

func TestCorpus(t *testing.T) {
	for _, tc := range corpusWant {
		t.Run(tc.file, func(t *testing.T) {
			data := corpus.Read(t, "camt/"+tc.file)
			res, err := Parse(data, Options{FileName: tc.file})
			if tc.wantErr {
				if err == nil || !errors.Is(err, ErrNotCamt) {
					t.Fatalf("want ErrNotCamt, got %v", err)
				}
				if _, err := Read(data, Options{}); err == nil {
					t.Fatal("Read accepted what Parse rejected")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b := res.Batch
			if len(b.Statements) != len(tc.stmts) || len(res.Periods) != len(tc.stmts) {
				t.Fatalf("statements = %d, want %d", len(b.Statements), len(tc.stmts))
			}
			if len(b.Errors) != tc.quarantined {
				t.Errorf("quarantined = %d, want %d: %v", len(b.Errors), tc.quarantined, b.Errors)
			}
			warnings := 0
			for _, n := range b.Notes {
				if n.Kind == canon.NoteWarning {
					warnings++
					if !strings.Contains(n.Text, " at line ") || !strings.Contains(n.Text, "unverified") {
						t.Errorf("warning %+v does not give the line or say the account is unverified", n)
					}
				}
			}
			if warnings != tc.warnings {
				t.Errorf("warnings = %d, want %d: %v", warnings, tc.warnings, b.Notes)
			}
			first := 1
			total := 0
			for i, w := range tc.stmts {
				s, per := b.Statements[i], res.Periods[i]
				last := first + w.entries - 1
				total += w.entries
				if per.Entries != w.entries {
					t.Errorf("statement %d: entries = %d, want %d", i, per.Entries, w.entries)
				}
				cr, db := decimal.Zero, decimal.Zero
				for _, x := range b.Txns {
					if x.Record < first || x.Record > last {
						continue
					}
					if !x.Amount.IsPositive() {
						t.Errorf("record %d: amount %s is not positive", x.Record, x.Amount)
					}
					switch s.Account {
					case x.To:
						cr = cr.Add(x.Amount)
					case x.From:
						db = db.Add(x.Amount)
					default:
						t.Errorf("record %d: %s -> %s does not touch %s", x.Record, x.From, x.To, s.Account)
					}
				}
				for _, e := range b.Errors {
					if e.Record < first || e.Record > last {
						continue
					}
					a, c := rawAmt.FindStringSubmatch(e.Raw), rawCDI.FindStringSubmatch(e.Raw)
					if a == nil || c == nil {
						t.Fatalf("record %d: cannot find amount in raw %q", e.Record, e.Raw)
					}
					if c[1] == "CRDT" {
						cr = cr.Add(decimal.RequireFromString(a[1]))
					} else {
						db = db.Add(decimal.RequireFromString(a[1]))
					}
				}
				if want := decimal.RequireFromString(w.credits); !cr.Equal(want) {
					t.Errorf("statement %d: credits = %s, want %s", i, cr, want)
				}
				if want := decimal.RequireFromString(w.debits); !db.Equal(want) {
					t.Errorf("statement %d: debits = %s, want %s", i, db, want)
				}
				canontest.CheckBalance(t, i, "opening", s.Opening, w.opening)
				canontest.CheckBalance(t, i, "closing", s.Closing, w.closing)
				// With every entry loaded the period must reconcile exactly as the file
				// does; with some quarantined, the quarantined amounts must explain it.
				got := per.Reconciled
				if per.Quarantined > 0 && per.Computed.Valid && per.Closing.Valid {
					got = per.Computed.Decimal.Add(per.QuarantinedCredits).Sub(per.QuarantinedDebits).Equal(per.Closing.Decimal)
					if per.Reconciled {
						t.Errorf("statement %d reconciles although %d entries are quarantined", i, per.Quarantined)
					}
				}
				if got != w.reconciles {
					t.Errorf("statement %d: reconciles = %v, want %v (%+v)", i, got, w.reconciles, per)
				}
				first = last + 1
			}
			if b.Records != total {
				t.Errorf("Records = %d, want %d", b.Records, total)
			}
			canontest.CheckBatch(t, b)
			checkGenkgo(t, tc.file, b)
		})
	}
}

// checkGenkgo compares with the genkgo/camt parser's decoded output beside the file: every
// entry genkgo reports (amount in minor units, signed; booking date in UTC) must be one of
// ours, or quarantined by us when genkgo has no booking date.
func checkGenkgo(t *testing.T, file string, b canon.Batch) {
	t.Helper()
	if !strings.HasPrefix(file, "genkgo__") {
		return
	}
	raw, err := os.ReadFile(corpus.Path(t, "camt/"+strings.TrimSuffix(file, ".xml")+".json"))
	if err != nil {
		return
	}
	var doc struct {
		Entries []json.RawMessage `json:"getEntries"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, m := range doc.Entries {
		var e struct {
			Amount struct {
				Amount   string `json:"getAmount"`
				Currency struct {
					Code string `json:"getCode"`
				} `json:"getCurrency"`
			} `json:"getAmount"`
			Booking *struct {
				At string `json:"0"`
			} `json:"getBookingDate"`
		}
		if json.Unmarshal(m, &e) != nil {
			continue // "__RECURSIVITY__" markers
		}
		minor := decimal.RequireFromString(e.Amount.Amount).Abs()
		if e.Booking == nil {
			if len(b.Errors) == 0 || b.Errors[0].Field != "BookgDt" {
				t.Errorf("genkgo entry without booking date: want it quarantined, errors %v", b.Errors)
			}
			continue
		}
		at, err := time.Parse(time.RFC3339, e.Booking.At)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, x := range b.Txns {
			if x.Amount.Shift(2).Equal(minor) && x.Currency == e.Amount.Currency.Code && x.BookedAt.Equal(at) {
				found = true
			}
		}
		if !found {
			t.Errorf("genkgo entry %s %s booked %s not among ours", e.Amount.Amount, e.Amount.Currency.Code, at)
		}
	}
}
