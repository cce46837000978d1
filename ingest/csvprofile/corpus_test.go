package csvprofile

import (
	"reflect"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// corpusCase is one corpus file with figures worked out from the raw file itself
// (Python's csv module and a separate mod-97 check, see README.md), not by this reader.
type corpusCase struct {
	file    string
	profile string
	account string // Options.Account; "" when the file names a valid account
	stmt    string // expected statement account
	detect  bool   // Detect must pick profile
	txns    int
	quar    []int // lines of quarantined records
	warn    int   // rows loaded with a warning (counterparty IBANs failing mod-97)
	skipped int
	sum     string // signed sum of loaded transactions, credits positive
	opening string
	closing string
}

const testAcct = "acct:test:1"

var corpusCases = []corpusCase{
	{file: "nblock__ofxstatement-austrian__raiffeisen.csv", profile: "raiffeisen-at", account: testAcct, txns: 7, sum: "-157.89"},
	{file: "bank2ynab__bank2ynab__test_raiffeisen_01.csv", profile: "raiffeisen-at", account: testAcct, txns: 73, quar: []int{71}, sum: "-4580.70"},
	{file: "bank2ynab__bank2ynab__20171001-20171106.csv", profile: "n26-de", account: testAcct, detect: true, txns: 1, sum: "-59.99"},
	{file: "bank2ynab__bank2ynab__2018-04-14_10-52-13_bunq-transactieoverzicht.csv", profile: "bunq-nl", stmt: "NL47BUNQ2025181418", detect: true, txns: 3, sum: "728.54"},
	{file: "bank2ynab__bank2ynab__2019-03-02_11-50-46_bunq-statement.csv", profile: "bunq-nl-en", stmt: "NL26BUNQ2025126409", detect: true, txns: 7, sum: "-23.82"},
	{file: "bank2ynab__bank2ynab__20180226-1000594757-umsatz.CSV", profile: "sparkasse-de-mt940", stmt: "acct::1000594757", detect: true, txns: 1, sum: "-36.99"},
	{file: "bank2ynab__bank2ynab__CSV_A_20180414_112204.csv", profile: "rabobank-nl", stmt: "NL77RABO0311467415", detect: true, txns: 2, quar: []int{5}, sum: "-1087.49"},
	{file: "bank2ynab__bank2ynab__MS_JANE_SMITH_01-12-2019_14-12-2019.csv", profile: "uk-card", account: testAcct, detect: true, txns: 10, quar: []int{2, 3, 4}, sum: "-285.80"},
	{file: "bank2ynab__bank2ynab__Movements_1234512345_201805271848.csv", profile: "raiffeisen-cz", stmt: "acct:1234:123456789", detect: true, txns: 1, sum: "-1.00"},
	{file: "bank2ynab__bank2ynab__TH_20180101-20180523_page_1.csv", profile: "ceska-sporitelna-cz", account: testAcct, detect: true, quar: []int{2, 3, 4, 5, 6, 7, 8, 9, 10}, sum: "0"},
	{file: "bank2ynab__bank2ynab__Umsaetze_KtoNr538917600_EUR_02-03-2018_1503.CSV", profile: "commerzbank-de", stmt: "DE44200400000538917600", detect: true, txns: 1, sum: "-17.22"},
	{file: "bank2ynab__bank2ynab__W80844_EBH_201945.202122.csv", profile: "erste-hu", account: testAcct, detect: true, txns: 2, sum: "940"},
	{file: "bank2ynab__bank2ynab__export_BE11123456789012_20180304_1422.csv", profile: "kbc-be", account: testAcct, detect: true, txns: 1, sum: "-3.40"},
	{file: "bank2ynab__bank2ynab__export_KBC-Mastercard_Business_Essential_20200204_1604.csv", profile: "kbc-be-creditcard", stmt: "card:KBC:1234567890123456", detect: true, txns: 3, sum: "2.73"},
	{file: "bank2ynab__bank2ynab__kta_ei.dat", profile: "kta-at", stmt: "acct:32000:244081", txns: 11, sum: "-6152.22"},
	{file: "bank2ynab__bank2ynab__test_swedebank_statement.xls", profile: "swedbank-lt", account: testAcct, detect: true, txns: 13, skipped: 4, sum: "2578.93", opening: "10374.04", closing: "12952.97"},
	{file: "bank2ynab__bank2ynab__umsatz-1234________1234-20180227.CSV", profile: "sparkasse-de-creditcard", stmt: "card::51_5440077009222443", detect: true, txns: 1, sum: "-5.00"},
	{file: "fabolhak__ofxstatement-de-ing__test_with_saldo_2.csv", profile: "ing-de-saldo", account: testAcct, detect: true, txns: 9, sum: "-178.60", closing: "150.00"},
	{file: "fabolhak__ofxstatement-de-ing__test_without_saldo_1.csv", profile: "ing-de", account: testAcct, detect: true, txns: 6, sum: "-180.93"},
	{file: "fabolhak__ofxstatement-de-ing__test_without_saldo_2.csv", profile: "ing-de", account: testAcct, detect: true, txns: 6, sum: "-180.93"},
	{file: "lorenzogiudici5__ofxstatement-bancoposta__bancoposta.csv", profile: "bancoposta-it", account: testAcct, detect: true, txns: 4, skipped: 2, sum: "-3.90", opening: "26851.95", closing: "28359.05"},
	{file: "nblock__ofxstatement-austrian__easybank-creditcard.csv", profile: "easybank-at-creditcard", stmt: "card:easybank:12345678901", txns: 3, sum: "2.31"},
	{file: "nblock__ofxstatement-austrian__easybank-giro.csv", profile: "easybank-at-giro", account: testAcct, txns: 10, warn: 5, sum: "-1562.86"},
	{file: "nblock__ofxstatement-austrian__ing-diba.csv", profile: "ing-diba-at", stmt: "acct::12345678001", detect: true, txns: 6, sum: "-992.03"},
	{file: "nblock__ofxstatement-austrian__livebank.csv", profile: "livebank-at", stmt: "acct::12345678", detect: true, txns: 3, skipped: 3, sum: "5050.00"},
	{file: "nblock__ofxstatement-austrian__oberbank.csv", profile: "oberbank-at", account: testAcct, detect: true, txns: 5, warn: 2, sum: "-9.00"},
	{file: "omarkohl__ofxstatement-sparkasse-freiburg__simple1.csv", profile: "sparkasse-de-camt", stmt: "acct::12345678", detect: true, txns: 1, quar: []int{3}, warn: 1, sum: "-1234.56"},
	{file: "omarkohl__ofxstatement-sparkasse-freiburg__simple2.csv", profile: "sparkasse-de-camt", stmt: "acct::12345678", detect: true, txns: 17, warn: 14, skipped: 1, sum: "107.17"},
}

func TestCorpus(t *testing.T) {
	for _, c := range corpusCases {
		t.Run(c.file, func(t *testing.T) {
			data := corpus.Read(t, "csv-banks/"+c.file)
			p, err := Builtin(c.profile)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Decode(data, p, Options{FileName: c.file, Account: c.account})
			if err != nil {
				t.Fatal(err)
			}
			b := res.Batch
			want := c.stmt
			if want == "" {
				want = c.account
			}
			if b.StatementAccount != want {
				t.Errorf("statement account %q, want %q", b.StatementAccount, want)
			}
			if len(b.Txns) != c.txns {
				t.Errorf("%d transactions, want %d", len(b.Txns), c.txns)
			}
			var lines []int
			for _, e := range b.Errors {
				lines = append(lines, e.Record)
				if e.Reason == "" {
					t.Errorf("line %d quarantined without a reason", e.Record)
				}
			}
			if !reflect.DeepEqual(lines, c.quar) {
				t.Errorf("quarantined lines %v, want %v", lines, c.quar)
			}
			warn := 0
			for _, n := range b.Notes {
				if n.Kind == canon.NoteWarning {
					warn++
				}
			}
			if warn != c.warn {
				t.Errorf("%d warnings, want %d: %+v", warn, c.warn, b.Notes)
			}
			if len(res.Skipped) != c.skipped {
				t.Errorf("%d skipped rows, want %d: %+v", len(res.Skipped), c.skipped, res.Skipped)
			}
			if b.Records != len(b.Txns)+len(b.Errors) {
				t.Errorf("Records %d, want %d", b.Records, len(b.Txns)+len(b.Errors))
			}
			if got := signedSum(b); !got.Equal(decimal.RequireFromString(c.sum)) {
				t.Errorf("signed sum %s, want %s", got, c.sum)
			}
			checkStatement(t, b, c.opening, c.closing)
			checkInvariants(t, b)
			if c.detect {
				if name, ok := Detect(data); !ok || name != c.profile {
					t.Errorf("Detect = %q, %v, want %q", name, ok, c.profile)
				}
			} else if name, ok := Detect(data); ok {
				t.Errorf("Detect = %q for a layout without a signature", name)
			}
		})
	}
}

func signedSum(b canon.Batch) decimal.Decimal {
	sum := decimal.Zero
	for _, x := range b.Txns {
		if x.From == b.StatementAccount {
			sum = sum.Sub(x.Amount)
		} else {
			sum = sum.Add(x.Amount)
		}
	}
	return sum
}

func checkStatement(t *testing.T, b canon.Batch, opening, closing string) {
	t.Helper()
	var st canon.Statement
	if len(b.Statements) > 0 {
		st = b.Statements[0]
	}
	for _, x := range []struct {
		name string
		got  decimal.NullDecimal
		want string
	}{{"opening", st.Opening, opening}, {"closing", st.Closing, closing}} {
		switch {
		case x.want == "" && x.got.Valid:
			t.Errorf("%s balance %s, want none", x.name, x.got.Decimal)
		case x.want != "" && (!x.got.Valid || !x.got.Decimal.Equal(decimal.RequireFromString(x.want))):
			t.Errorf("%s balance %v, want %s", x.name, x.got, x.want)
		}
	}
}

// checkInvariants holds for every batch: amounts positive, one side is the statement
// account, the statement account is listed once with Statement set, channels valid.
func checkInvariants(t *testing.T, b canon.Batch) {
	t.Helper()
	stmts := 0
	for _, a := range b.Accounts {
		if a.Statement {
			stmts++
			if a.ID != b.StatementAccount {
				t.Errorf("statement account listed as %q, batch says %q", a.ID, b.StatementAccount)
			}
		}
	}
	if stmts != 1 {
		t.Errorf("%d statement accounts listed, want 1", stmts)
	}
	for i, x := range b.Txns {
		if !x.Amount.IsPositive() {
			t.Errorf("line %d: amount %s not positive", x.Record, x.Amount)
		}
		if x.From != b.StatementAccount && x.To != b.StatementAccount {
			t.Errorf("line %d: neither side is the statement account", x.Record)
		}
		if !canon.ValidChannel(x.Channel) {
			t.Errorf("line %d: channel %q", x.Record, x.Channel)
		}
		if x.Seq != int64(i+1) {
			t.Errorf("line %d: seq %d, want %d", x.Record, x.Seq, i+1)
		}
		if x.BookedAt.IsZero() || len(x.Currency) != 3 {
			t.Errorf("line %d: booked_at %v currency %q", x.Record, x.BookedAt, x.Currency)
		}
	}
}

// TestBuiltinsValid checks every embedded profile and that every one is tested above.
func TestBuiltinsValid(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range corpusCases {
		tested[c.profile] = true
	}
	names := Builtins()
	if len(names) < 20 {
		t.Fatalf("only %d built-in profiles", len(names))
	}
	for _, n := range names {
		if _, err := Builtin(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		if !tested[n] {
			t.Errorf("built-in profile %s has no corpus case", n)
		}
	}
}
