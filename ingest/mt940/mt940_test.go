package mt940

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/corpus"
	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"
)

// stmt wraps statement lines into one MT940 statement of BLZ 37040044, account 532013000,
// opening 100,00 EUR on 2023-12-29 and the given closing.
func stmt(closing string, lines ...string) []byte {
	return []byte(":20:REF\n:25:37040044/532013000\n:28C:1/1\n:60F:C231229EUR100,00\n" +
		strings.Join(lines, "\n") + "\n:62F:C240102EUR" + closing + "\n-\n")
}

const own = "acct:37040044:532013000"

// Reversals: RC (reversal of a credit) is booked as a debit and RD as a credit; the amount
// stays positive and the reference is marked. The year of the entry date follows the value
// date across the year end.
func TestReversalAndYearEnd(t *testing.T) {
	in := stmt("95,00",
		":61:2312310102RC10,00NTRFNONREF//B1",
		":86:storno",
		":61:2401021231RD5,00NTRFNONREF//B2",
		":86:storno 2",
	)
	res, err := Parse(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	rc, rd := b.Txns[0], b.Txns[1]
	if rc.From != own || rc.To != "external:unknown" || rc.Reference != "REVERSAL: storno" || !rc.Amount.Equal(decimal.NewFromInt(10)) {
		t.Errorf("RC = %+v", rc)
	}
	if rd.To != own || rd.From != "external:unknown" || rd.Reference != "REVERSAL: storno 2" {
		t.Errorf("RD = %+v", rd)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	if !rc.ValueDate.Equal(day("2023-12-31")) || !rc.BookedAt.Equal(day("2024-01-02")) {
		t.Errorf("RC dates %v %v", rc.ValueDate, rc.BookedAt)
	}
	if !rd.ValueDate.Equal(day("2024-01-02")) || !rd.BookedAt.Equal(day("2023-12-31")) {
		t.Errorf("RD dates %v %v", rd.ValueDate, rd.BookedAt)
	}
	if rc.Record != 5 || rd.Record != 7 || rc.SourceID != "B1" || rd.SourceID != "B2" {
		t.Errorf("records %d %d source ids %q %q", rc.Record, rd.Record, rc.SourceID, rd.SourceID)
	}
	// 100 - 10 + 5 = 95
	if p := res.Periods[0]; !p.Reconciled || !p.Credits.Equal(decimal.NewFromInt(5)) || !p.Debits.Equal(decimal.NewFromInt(10)) {
		t.Errorf("period = %+v", p)
	}
}

func TestStructuredDetails(t *testing.T) {
	in := stmt("150,00",
		":61:2401020102C50,00N166NONREF",
		":86:166?00SEPA-GUTSCHRIFT?109310?20EREF+E2E-77 SVWZ+Rechnun?21g 12?30COBADEFFXXX?31DE89370400440532013000",
		"?32Max Mus?33termann",
	)
	b, err := Read(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := b.Txns[0]
	if x.From != "DE89370400440532013000" || x.To != own || x.EndToEnd != "E2E-77" ||
		x.Reference != "EREF+E2E-77 SVWZ+Rechnung 12" || x.Counterparty != "Max Mustermann | DE89370400440532013000 | COBADEFFXXX" {
		t.Errorf("txn = %+v", x)
	}
	var cp canon.Account
	for _, a := range b.Accounts {
		if a.ID == x.From {
			cp = a
		}
	}
	if cp.HolderName != "Max Mustermann" || cp.BIC != "COBADEFFXXX" || cp.Kind != canon.KindBank {
		t.Errorf("counterparty account = %+v", cp)
	}
}

func TestSlashDetails(t *testing.T) {
	in := stmt("90,00",
		":61:2401020102D10,00NTRFNONREF",
		":86:/TRTP/SEPA OVERBOEKING/IBAN/GB29NWBK60161331926819/BIC/NWBKGB2L/NAME/J",
		"ANSEN/REMI/factuur 7/EREF/NOTPROVIDED",
	)
	b, err := Read(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := b.Txns[0]
	if x.To != "GB29NWBK60161331926819" || x.Reference != "factuur 7" || x.EndToEnd != "" || x.Counterparty != "JANSEN | GB29NWBK60161331926819 | NWBKGB2L" {
		t.Errorf("txn = %+v", x)
	}
}

func TestQuarantine(t *testing.T) {
	cases := []struct {
		name, line, field, reason string
	}{
		{"february 30", ":61:240230D1,00NTRFNONREF", "61/value date", "not a valid YYMMDD"},
		{"bad entry date", ":61:2401021340D1,00NTRFNONREF", "61/entry date", "MMDD"},
		{"zero", ":61:240102D0,00NTRFNONREF", "61/amount", "zero"},
		{"garbage", ":61:hello", "61", "not value date"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := stmt("101,00", tc.line, ":61:240102C1,00NTRFNONREF")
			res, err := Parse(in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := res.Batch
			if len(b.Errors) != 1 || len(b.Txns) != 1 || b.Records != 2 {
				t.Fatalf("errors %v txns %d records %d", b.Errors, len(b.Txns), b.Records)
			}
			e := b.Errors[0]
			if e.Record != 5 || e.Field != tc.field || !strings.Contains(e.Reason, tc.reason) || !strings.HasPrefix(e.Raw, ":61:") {
				t.Errorf("error = %+v", e)
			}
		})
	}
}

// A counterparty IBAN that fails mod-97 loads the line with the counterparty kept as written
// and a warning on the line's number, instead of quarantining the movement.
func TestBadCounterpartyIBANLoads(t *testing.T) {
	in := stmt("100,00", ":61:240102D1,00NTRFNONREF\n:86:116?00SEPA?31DE89370400440532013001?32X", ":61:240102C1,00NTRFNONREF")
	res, err := Parse(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	if len(b.Errors) != 0 || len(b.Txns) != 2 || !res.Periods[0].Reconciled {
		t.Fatalf("errors %v txns %d period %+v", b.Errors, len(b.Txns), res.Periods[0])
	}
	if x := b.Txns[0]; x.To != "external:unverified-iban:DE89370400440532013001" || x.Amount.String() != "1" {
		t.Errorf("txn %+v", x)
	}
	if len(b.Notes) != 1 || b.Notes[0].Kind != canon.NoteWarning || b.Notes[0].Record != 5 ||
		!strings.HasPrefix(b.Notes[0].Text, "field 86/?31: counterparty invalid IBAN") || !strings.Contains(b.Notes[0].Text, "mod-97") {
		t.Errorf("notes %+v", b.Notes)
	}
}

// An impossible value date beside a valid entry date books the line on the entry date, in the
// value date's year, without a value date, and says so in a warning.
func TestImpossibleValueDateWithEntryDate(t *testing.T) {
	res, err := Parse(stmt("99,00", ":61:1602300301D1,00NTRFNONREF"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	if len(b.Errors) != 0 || len(b.Txns) != 1 || !res.Periods[0].Reconciled {
		t.Fatalf("errors %v txns %d period %+v", b.Errors, len(b.Txns), res.Periods[0])
	}
	if x := b.Txns[0]; x.BookedAt.Format("2006-01-02") != "2016-03-01" || !x.ValueDate.IsZero() {
		t.Errorf("booked %s value %s", x.BookedAt, x.ValueDate)
	}
	if len(b.Notes) != 1 || b.Notes[0].Kind != canon.NoteWarning || !strings.HasPrefix(b.Notes[0].Text, `field 61/value date: "160230" is not a valid YYMMDD date`) {
		t.Errorf("notes %+v", b.Notes)
	}
}

func TestChannels(t *testing.T) {
	in := stmt("0,00",
		":61:240102D1,00NMSCNONREF\n:86:083?00BARGELDAUSZAHLUNG?20GAA 123",
		":61:240102D1,00NMSCNONREF\n:86:106?00Bargeld Geldautomat",
		":61:240102C1,00NMSCNONREF\n:86:082?00EINZAHLUNG",
		":61:240102D1,00NCHGNONREF",
		":61:240102C1,00NINTNONREF",
		":61:240102D1,00N077NONREF\nDíj, jutalék",
		":61:240102D1,00NCHKNONREF\n:86:cash for the cheque",
	)
	b, err := Read(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{canon.ChannelCashWithdrawal, canon.ChannelCashWithdrawal, canon.ChannelCashDeposit,
		canon.ChannelFee, canon.ChannelInterest, canon.ChannelFee, canon.ChannelTransfer}
	for i, w := range want {
		if b.Txns[i].Channel != w {
			t.Errorf("line %d: channel %s, want %s", b.Txns[i].Record, b.Txns[i].Channel, w)
		}
	}
	if b.Txns[0].To != "cash:"+own || b.Txns[2].From != "cash:"+own {
		t.Errorf("cash counterparties %s %s", b.Txns[0].To, b.Txns[2].From)
	}
}

// A narrative line that starts like a tag (":26:37" of a wrapped time stamp, an unknown
// ":12:") continues the :86: field; SWIFT blocks and control bytes are removed.
func TestEnvelopeAndWrapping(t *testing.T) {
	in := "\x01{1:F01BANKDEFFAXXX0000000000}{2:O9401200BANKDEFFXXXX}{4:\r\n:20:X\r\n:25:37040044/532013000\r\n" +
		":60F:C240101EUR10,00\r\n:61:240102D1,00NTRFNONREF\r\n:86:805?00ENTGELT?24/PL 12-09-2014T16\r\n:26:37 Fo?25lgenr. 007\r\n" +
		":12:11\r\n:62F:C240102EUR9,00\r\n-}{5:{CHK:123}}\x03"
	res, err := Parse([]byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	if len(b.Txns) != 1 || b.Txns[0].Reference != "/PL 12-09-2014T16:26:37 Folgenr. 007:12:11" || b.Txns[0].Channel != canon.ChannelFee || !res.Periods[0].Reconciled {
		t.Errorf("txns %+v periods %+v", b.Txns, res.Periods)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "removed 2 control characters") {
		t.Errorf("notes %v", res.Notes)
	}
}

func TestEncodings(t *testing.T) {
	body := ":20:X\n:25:12345678/1\n:60F:C240101HUF10,00\n:61:240102D1,00NTRFNONREF\nDíj, jutalék átutalás\n:62F:C240102HUF9,00\n"
	for _, enc := range []struct {
		name string
		cm   *charmap.Charmap
	}{{"cp852", charmap.CodePage852}, {"windows-1250", charmap.Windows1250}} {
		raw, err := enc.cm.NewEncoder().String(body)
		if err != nil {
			t.Fatal(err)
		}
		for _, opt := range []Options{{}, {Encoding: enc.name}} {
			b, err := Read([]byte(raw), opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Txns[0].Reference; got != "Díj, jutalék átutalás" {
				t.Errorf("%s %+v: reference %q", enc.name, opt, got)
			}
		}
	}
	if _, err := Read([]byte(body), Options{Encoding: "no-such"}); err == nil {
		t.Error("unknown encoding accepted")
	}
}

func TestCorpusCP852(t *testing.T) {
	res, err := Parse(corpus.Read(t, "mt940/svenstaro__mt940-rs__mt940-special-cases-invalid_utf8.sta"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Batch.Txns[0].Reference, "utánvét") || res.Batch.Txns[3].Channel != canon.ChannelFee {
		t.Errorf("reference %q channel %s, notes %v", res.Batch.Txns[0].Reference, res.Batch.Txns[3].Channel, res.Notes)
	}
}

func TestMT942(t *testing.T) {
	in := ":20:X\n:25:PL29114010810000267002001002\n:28C:1/1\n:34F:PLN0,\n:13D:1701191815+0100\n" +
		":61:1701190119CN0,01NTRFNONREF//MB1\n:86:x\n:90C:1PLN0,01\n"
	res, err := Parse([]byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	s := b.Statements[0]
	if len(b.Txns) != 1 || b.Txns[0].Currency != "PLN" || s.Opening.Valid || s.Closing.Valid || s.Account != "PL29114010810000267002001002" || res.Periods[0].Reconciled {
		t.Errorf("batch %+v periods %+v", b, res.Periods)
	}
}

func TestNotMT940(t *testing.T) {
	for _, in := range []string{"", "hello\nworld", ":60F:C100318EUR380115,12\n", "<Document/>", ":20:X\n:21:Y\n"} {
		if _, err := Read([]byte(in), Options{FileName: "f.sta"}); !errors.Is(err, ErrNotMT940) || !strings.HasPrefix(err.Error(), "f.sta: ") {
			t.Errorf("%q: %v", in, err)
		}
	}
	if _, err := Read(make([]byte, MaxSize+1), Options{}); !errors.Is(err, ErrNotMT940) {
		t.Errorf("oversized input: %v", err)
	}
}

func TestOrphanLine(t *testing.T) {
	in := string(stmt("100,00")) + ":61:240102C1,00NTRFNONREF\n"
	b, err := Read([]byte(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Errors) != 1 || b.Errors[0].Field != "25" || b.Errors[0].Record != 8 || b.Records != 1 {
		t.Errorf("errors %v records %d", b.Errors, b.Records)
	}
}

func TestAccounts(t *testing.T) {
	cases := map[string]string{
		"37040044/532013000":                 "acct:37040044:532013000",
		"NL10BUNQ2290325473 EUR":             "NL10BUNQ2290325473",
		"1291.99.348EUR":                     "acct::1291.99.348",
		"UBRTHUHB/123456789150ABCDEF002/HUF": "acct:UBRTHUHB:123456789150ABCDEF002",
		"DABADKKK/111111-11111111":           "acct:DABADKKK:111111-11111111",
		"NL81ASNB9999999999":                 "acct::NL81ASNB9999999999",
	}
	for raw, want := range cases {
		if a, _ := statementAccount(raw, ""); a.ID != want {
			t.Errorf("%q -> %q, want %q", raw, a.ID, want)
		}
	}
	b, err := Read(stmt("101,00", ":61:240102C1,00NTRFNONREF"), Options{Account: "DE89370400440532013000"})
	if err != nil {
		t.Fatal(err)
	}
	if b.StatementAccount != "DE89370400440532013000" || b.Txns[0].To != "DE89370400440532013000" {
		t.Errorf("override: %+v", b)
	}
}

func TestDetect(t *testing.T) {
	yes := []string{":20:X\n:25:Y\n", "\x01\n:20:X\n:60F:C1\n", "{1:F01KOBSMK2XAXXX1009000000}{2:I940KOBSMK2XXXXXN}{4:\n"}
	no := []string{"", ":20:X\n", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"/>", "a,b\n:20:,:25:\n"}
	for _, s := range yes {
		if !Detect([]byte(s)) {
			t.Errorf("not detected: %q", s)
		}
	}
	for _, s := range no {
		if Detect([]byte(s)) {
			t.Errorf("detected: %q", s)
		}
	}
}

// A file cut inside its last :61: (issue 19.3): ":61:240103D24187,50NTRFNONREF" cut after
// "D241" must not load 241.00; the line is quarantined, counted, and the statement (no
// closing balance) is not reconciled. Cut after the transaction type, the amount is whole:
// the line loads with a warning that its details may be cut.
func TestTruncatedLastEntry(t *testing.T) {
	head := ":20:REF\n:25:37040044/532013000\n:28C:1/1\n:60F:C231229EUR100,00\n:61:240102C1,00NTRFNONREF\n:86:ok\n"
	for _, tc := range []struct {
		name, tail       string
		loaded, warnings int
	}{
		{"cut in the amount", ":61:240103D241", 1, 0},
		{"cut after the type", ":61:240103D24187,50NTRF", 2, 1},
		{"cut in the details", ":61:240103D24187,50NTRFNONREF\n:86:Jan Jans", 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Parse([]byte(head+tc.tail), Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := res.Batch
			if len(b.Txns) != tc.loaded || b.Records != 2 || len(b.Txns)+len(b.Errors) != 2 {
				t.Fatalf("txns %d errors %v records %d", len(b.Txns), b.Errors, b.Records)
			}
			warnings := 0
			for _, n := range b.Notes {
				if n.Kind == canon.NoteWarning && n.Record == 7 {
					warnings++
				}
			}
			if warnings != tc.warnings {
				t.Errorf("warnings %+v", b.Notes)
			}
			if tc.loaded == 1 {
				if e := b.Errors[0]; e.Record != 7 || e.Field != "61/amount" || !strings.Contains(e.Reason, "truncated") {
					t.Errorf("error %+v", e)
				}
			} else if got := b.Txns[1].Amount.String(); got != "24187.5" {
				t.Errorf("amount %s", got)
			}
			if p := res.Periods[0]; p.Reconciled || p.Closing.Valid {
				t.Errorf("period %+v reconciled without a closing balance", p)
			}
		})
	}
}

// Bounded work (issue 19.4): a 5 MiB digit run in a balance or a :61: amount is refused
// at once (the balance by its length, the line by mt940.MaxField); what is said about them
// quotes an excerpt, never the number.
func TestHugeDigitRuns(t *testing.T) {
	digits := strings.Repeat("1", 5<<20)
	res, err := Parse([]byte(":20:REF\n:25:37040044/532013000\n:28C:1/1\n:60F:C231229EUR"+digits+",00\n:61:240102D"+digits+",50NTRFNONREF\n:61:240102C1,00NTRFNONREF\n:62F:C240102EUR"+digits+"\n-\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	if len(b.Txns) != 1 || len(b.Errors) != 1 || !strings.Contains(b.Errors[0].Reason, "MaxField") || len(b.Errors[0].Reason) > 300 || len(b.Errors[0].Raw) > 20<<10 {
		t.Fatalf("txns %d errors %.400v", len(b.Txns), b.Errors)
	}
	if p := res.Periods[0]; p.Opening.Valid || p.Closing.Valid || p.Reconciled {
		t.Errorf("period %+v", p)
	}
	for _, n := range res.Notes {
		if len(n) > 300 {
			t.Errorf("note of %d bytes: %.200s", len(n), n)
		}
	}
}
