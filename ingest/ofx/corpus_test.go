package ofx

import (
	"errors"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/internal/corpus"
	"github.com/shopspring/decimal"
)

// stmtWant is what one statement of a corpus file holds, worked out from the raw bytes
// independently of this package (a Python regular-expression script over every
// <STMTTRN>...</STMTTRN> of each <STMTRS>/<CCSTMTRS>, summing positive and negative TRNAMT
// with decimal.Decimal, and reading LEDGERBAL/BALAMT, DTSTART and DTEND as text); the
// figures agree with MANIFEST.tsv. closing "" means no readable closing balance.
type stmtWant struct {
	account          string
	entries          int
	credits, debits  string
	closing          string
	start, end       string // RFC 3339 in UTC, "" = not checked (completed from postings)
	quarantined, txn int
}

var corpusWant = []struct {
	file    string
	err     error
	stmts   []stmtWant
	sources bool // every transaction carries its FITID as SourceID
}{
	{file: "aclindsa__ofxgo__busted-bmo_v102__no_header_newline.qfx", sources: true, stmts: []stmtWant{
		{"ofx::2380370270281083", 1, "2042.24", "0", "-552.63", "2018-12-02T23:49:05.909Z", "2018-12-02T23:49:05.909Z", 0, 1}}},
	{file: "aclindsa__ofxgo__busted-wellsfargo.qfx", sources: true, stmts: []stmtWant{
		{"ofx:123456789:9876543210", 1, "0", "12.34", "123.45", "2020-12-01T20:00:00Z", "2020-12-31T20:00:00Z", 0, 1}}},
	{file: "aclindsa__ofxgo__valid-401k_v203.ofx", err: ErrInvestment},
	// Generated amounts with 13 to 16 decimals exceed the case database's six: every entry is
	// quarantined (never rounded) and the ledger balance is unreadable.
	{file: "aclindsa__ofxgo__valid-moneymrkt1_v103.ofx", stmts: []stmtWant{
		{"ofx:598813374:35342483513", 3, "3858.6713352286442", "995.4190396554627", "", "2017-01-07T01:18:41.262Z", "2017-04-07T00:18:41.262Z", 3, 0}}},
	{file: "aclindsa__ofxgo__valid-moneymrkt1_v103_TYPE1.ofx", stmts: []stmtWant{
		{"ofx:598813374:35342483513", 3, "3858.6713352286442", "995.4190396554627", "", "2017-01-07T01:18:41.262Z", "2017-04-07T00:18:41.262Z", 3, 0}}},
	{file: "aclindsa__ofxgo__valid-moneymrkt1_v203.ofx", stmts: []stmtWant{
		{"ofx:188545178:83483499583", 3, "5624.9807754225347", "850.1196618322863", "", "2017-01-07T01:15:05.296Z", "2017-04-07T00:15:05.296Z", 3, 0}}},
	{file: "jseutter__ofxparse__account_listing_aggregation.ofx", err: ErrNoStatement},
	{file: "jseutter__ofxparse__anzcc.ofx", sources: true, stmts: []stmtWant{
		{"ofx::1234123412341234", 1, "0", "5.50", "-123.45", "2017-03-11T00:00:00Z", "2017-05-09T00:00:00Z", 0, 1}}},
	{file: "jseutter__ofxparse__bank_medium.ofx", sources: true, stmts: []stmtWant{
		{"ofx:160000100:12300000012345678", 3, "0", "345.27", "382.34", "2009-04-01T00:00:00Z", "2009-05-23T12:20:17Z", 0, 3}}},
	{file: "jseutter__ofxparse__bank_small.ofx", err: ErrNoStatement},
	{file: "jseutter__ofxparse__checking.ofx", sources: true, stmts: []stmtWant{
		{"ofx:5472369148:1452687~7", 3, "0.01", "59.51", "100.99", "2000-01-01T07:00:00Z", "2013-05-25T06:00:00Z", 0, 3}}},
	{file: "jseutter__ofxparse__error_message.ofx", err: ErrServer},
	// No DTPOSTED, an empty DTPOSTED, and 31 February: all three quarantined.
	{file: "jseutter__ofxparse__fail_nice-date_missing.ofx", stmts: []stmtWant{
		{"ofx:123845030:192639749", 3, "400.00", "80.00", "0", "2011-04-12T00:00:00Z", "2011-06-14T00:00:00Z", 3, 0}}},
	// TRNAMT "$120": quarantined; its amount is unreadable, so it is in neither sum.
	{file: "jseutter__ofxparse__fail_nice-decimal_error.ofx", stmts: []stmtWant{
		{"ofx:123845030:192639749", 1, "0", "0", "0", "2011-04-12T00:00:00Z", "2011-06-14T00:00:00Z", 1, 0}}},
	{file: "jseutter__ofxparse__fail_nice-empty_balance.ofx", sources: true, stmts: []stmtWant{
		{"ofx:123845030:192639749", 1, "120", "0", "", "2011-04-12T00:00:00Z", "2011-06-14T00:00:00Z", 0, 1}}},
	{file: "jseutter__ofxparse__fidelity-savings.ofx", err: ErrInvestment},
	{file: "jseutter__ofxparse__investment_medium.ofx", err: ErrInvestment},
	{file: "jseutter__ofxparse__multiple_accounts.ofx", stmts: []stmtWant{
		{"ofx:123:9100", 0, "0", "0", "111", "", "2012-06-03T20:32:20Z", 0, 0},
		{"ofx:123:9200", 0, "0", "0", "222", "", "2012-06-03T20:32:20Z", 0, 0}}},
	{file: "jseutter__ofxparse__ofx-v102-empty-tags.ofx", stmts: []stmtWant{
		{"ofx:NPBS:12345678", 1, "12.34", "0", "", "2018-05-06T00:00:00Z", "2018-08-04T00:00:00Z", 0, 1}}},
	{file: "jseutter__ofxparse__suncorp.ofx", sources: true, stmts: []stmtWant{
		{"ofx:SUNCORP:123456789", 1, "0", "16.85", "1234.12", "2013-06-18T00:00:00Z", "2013-12-15T00:00:00Z", 0, 1}}},
	{file: "mlaitinen__ofxstatement-revolut__2018-april.ofx", stmts: []stmtWant{
		{"ofx:Revolut:Revolut-EUR", 9, "200.00", "231.12", "", "2018-04-01T00:00:00Z", "2018-04-08T00:00:00Z", 0, 9}}},
	{file: "mlaitinen__ofxstatement-revolut__2019-september.ofx", stmts: []stmtWant{
		{"ofx:Revolut:Revolut-EUR", 9, "340.00", "448.81", "", "2018-06-28T00:00:00Z", "2019-09-15T00:00:00Z", 0, 9}}},
	{file: "omarkohl__ofxstatement-sparkasse-freiburg__simple1.ofx", sources: true, stmts: []stmtWant{
		{"ofx:FRSPDE66XXX:333333333", 2, "123.00", "1234.56", "", "2018-03-28T00:00:00Z", "2018-04-03T00:00:00Z", 0, 2}}},
	// One entry of 0.00 (ABSCHLUSS) is a note, not a transaction.
	{file: "omarkohl__ofxstatement-sparkasse-freiburg__simple2.ofx", sources: true, stmts: []stmtWant{
		{"ofx:FRSPDE66XXX:333333333", 18, "1410.22", "1303.05", "", "2018-03-21T00:00:00Z", "2018-04-04T00:00:00Z", 0, 17}}},
	{file: "zoltansebestyen__ofxstatement-unicredithu__STATEMENT_12345678_20171130.ofx", sources: true, stmts: []stmtWant{
		{"ofx:BACXHUHB:12345678123456780000001", 2, "100999.00", "0", "1234568.74", "2017-11-30T00:00:00Z", "2017-11-30T00:00:00Z", 0, 2}}},
}

func TestCorpus(t *testing.T) {
	for _, c := range corpusWant {
		t.Run(c.file, func(t *testing.T) {
			data := corpus.Read(t, "ofx/"+c.file)
			if !Detect(data) {
				t.Errorf("Detect = false")
			}
			res, err := Parse(data, Options{FileName: c.file})
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b := res.Batch
			if len(b.Statements) != len(c.stmts) || len(res.Periods) != len(c.stmts) {
				t.Fatalf("%d statements, %d periods, want %d", len(b.Statements), len(res.Periods), len(c.stmts))
			}
			if b.Records != len(b.Txns)+len(b.Errors) {
				t.Errorf("Records %d != %d txns + %d errors", b.Records, len(b.Txns), len(b.Errors))
			}
			txns := 0
			for i, w := range c.stmts {
				s, p := b.Statements[i], res.Periods[i]
				if s.Account != w.account {
					t.Errorf("statement %d account %q, want %q", i, s.Account, w.account)
				}
				if p.Entries != w.entries || p.Quarantined != w.quarantined {
					t.Errorf("statement %d: %d entries, %d quarantined; want %d, %d", i, p.Entries, p.Quarantined, w.entries, w.quarantined)
				}
				credits := p.Credits.Add(p.QuarantinedCredits)
				debits := p.Debits.Add(p.QuarantinedDebits)
				if !credits.Equal(dec(t, w.credits)) || !debits.Equal(dec(t, w.debits)) {
					t.Errorf("statement %d: credits %s debits %s (incl. quarantined), want %s %s", i, credits, debits, w.credits, w.debits)
				}
				if w.closing == "" {
					if p.Closing.Valid {
						t.Errorf("statement %d: closing %s, want none", i, p.Closing.Decimal)
					}
				} else if !p.Closing.Valid || !p.Closing.Decimal.Equal(dec(t, w.closing)) {
					t.Errorf("statement %d: closing %v, want %s", i, p.Closing, w.closing)
				}
				if p.Opening.Valid || p.Computed.Valid || p.Difference.Valid || p.Reconciled {
					t.Errorf("statement %d: OFX has no opening balance, got %+v", i, p)
				}
				if p.Closing.Valid && !p.ImpliedOpening.Decimal.Equal(p.Closing.Decimal.Sub(p.Credits).Add(p.Debits)) {
					t.Errorf("statement %d: implied opening %v", i, p.ImpliedOpening)
				}
				if w.start != "" && s.PeriodStart.Format(time.RFC3339Nano) != w.start {
					t.Errorf("statement %d: period start %s, want %s", i, s.PeriodStart.Format(time.RFC3339Nano), w.start)
				}
				if w.end != "" && s.PeriodEnd.Format(time.RFC3339Nano) != w.end {
					t.Errorf("statement %d: period end %s, want %s", i, s.PeriodEnd.Format(time.RFC3339Nano), w.end)
				}
				txns += w.txn
			}
			if len(b.Txns) != txns {
				t.Errorf("%d transactions, want %d", len(b.Txns), txns)
			}
			for _, x := range b.Txns {
				if !x.Amount.IsPositive() || x.From == x.To || x.From == "" || x.To == "" || x.BookedAt.Location() != time.UTC {
					t.Errorf("bad transaction %+v", x)
				}
				if c.sources != (x.SourceID != "") {
					t.Errorf("transaction %d SourceID %q, want FITID: %v", x.Record, x.SourceID, c.sources)
				}
			}
			for _, e := range b.Errors {
				if e.Field == "" || e.Reason == "" || e.Raw == "" {
					t.Errorf("quarantine without field, reason or raw text: %+v", e)
				}
			}
		})
	}
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
