package mt940

import (
	"errors"
	"regexp"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/canon/canontest"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// stmtWant is what one statement of a corpus file holds, worked out from the raw bytes
// independently of this package (a Python script that splits at :20:, sums the :61: amounts
// by booking side, C and RD credits, D and RC debits, and reads :60F/M: and :62F/M:), and
// cross-checked against MANIFEST.tsv's statement counts, line counts and C/D sums.
type stmtWant struct {
	lines            int
	credits, debits  string
	opening, closing string
	reconciles       bool
}

// corpusWant lists every MT940/MT942 file of ../shared/corpus/mt940. quarantined counts the
// :61: lines this reader quarantines (zero amounts, a :61: after the end of its message); their amounts are recovered from the raw text so the sums still
// match the independent figures. orphans are :61: lines outside any statement (after a "-"
// end-of-message line). warnings counts the lines loaded with a warning (anonymised
// counterparty IBANs failing their check, a 30 February value date beside a valid entry
// date).
var corpusWant = []struct {
	file        string
	wantErr     bool
	orphans     int
	quarantined int
	warnings    int
	stmts       []stmtWant
}{
	{file: "fruitl00p__php-mt940__Abn-issue48.sta", warnings: 2, stmts: []stmtWant{{2, "109.65", "62.63", "1124.58", "1171.6", true}}},
	{file: "fruitl00p__php-mt940__Abn-sample.sta", stmts: []stmtWant{{2, "0", "210.5", "17369.99", "17159.49", true}, {1, "0", "1027.91", "17159.49", "16131.58", true}, {1, "0", "19.45", "16131.58", "16112.13", true}, {1, "25111.08", "0", "295922.68", "321033.76", true}}},
	{file: "fruitl00p__php-mt940__Asn-sample.sta", stmts: []stmtWant{{1, "0", "2000.00", "13290.34", "11290.34", true}, {0, "0", "0", "11290.34", "11290.34", true}, {0, "0", "0", "11290.34", "11290.34", true}, {0, "0", "0", "11290.34", "11290.34", true}, {0, "0", "0", "11290.34", "11290.34", true}, {0, "0", "0", "11290.34", "11290.34", true}, {2, "0", "81.78", "11290.34", "11208.56", true}}},
	{file: "fruitl00p__php-mt940__Bunq-sample.sta", stmts: []stmtWant{{111, "761.66", "788.33", "32.33", "5.66", true}}},
	{file: "fruitl00p__php-mt940__Hsbc-sample.sta", stmts: []stmtWant{{1, "0", "20000.00", "0.00", "0.00", false}}},
	{file: "fruitl00p__php-mt940__Ing-sample.sta", stmts: []stmtWant{{7, "32.39", "25.24", "0.00", "3.47", false}}},
	{file: "fruitl00p__php-mt940__Kbs-sample2.sta", stmts: []stmtWant{{7, "73700.0", "50945.0", "185723.0", "208478.0", true}}},
	{file: "fruitl00p__php-mt940__Knab-sample.sta", stmts: []stmtWant{{5, "0", "151.84", "1000.21", "945.21", false}}},
	{file: "fruitl00p__php-mt940__Kontist-sample.sta", warnings: 4, stmts: []stmtWant{{6, "515.95", "120.19", "0.15", "395.91", true}}},
	{file: "fruitl00p__php-mt940__Penta-sample.sta", quarantined: 1, stmts: []stmtWant{{30, "121.38", "10697.68", "20419.66", "9843.36", true}}},
	{file: "fruitl00p__php-mt940__Rabo-sample.sta", stmts: []stmtWant{{0, "0", "0", "0.00", "2145.00", false}, {0, "0", "0", "2145.00", "2145.00", true}, {0, "0", "0", "2145.00", "2145.00", true}, {0, "0", "0", "0.00", "20000.00", false}, {2, "600.00", "0", "20000.00", "20500.00", false}, {1, "500.00", "0", "20500.00", "20366.00", false}, {0, "0", "0", "0.00", "10500.00", false}, {0, "0", "0", "10500.00", "10100.00", false}, {3, "100.00", "600.00", "10100.00", "10000.00", false}, {0, "0", "0", "0.00", "-3550.00", false}, {0, "0", "0", "-3550.00", "-3550.00", true}, {0, "0", "0", "-3550.00", "-3550.00", true}, {0, "0", "0", "0.00", "482.41", false}, {0, "0", "0", "482.41", "165282.41", false}, {4, "165800.31", "1000.00", "165282.41", "165490.41", false}, {5, "3111.76", "0", "22345.10", "34160.25", false}, {1, "3288.86", "0", "1000.00", "22345.10", false}, {5, "52415.35", "4220.00", "61914.51", "22345.10", false}, {0, "0", "0", "22345.10", "1000.00", false}, {0, "0", "0", "1000.00", "61914.51", false}, {11, "76118.50", "37390.79", "61914.51", "61914.51", false}, {0, "0", "0", "22345.10", "390838.66", false}, {0, "0", "0", "1000.00", "381467.01", false}, {0, "0", "0", "61914.51", "381544.01", false}, {0, "0", "0", "0.0", "-115351.0", false}, {0, "0", "0", "-115351.0", "10.0", false}, {4, "1640129.0", "486619.0", "10.0", "192.0", false}, {0, "0", "0", "0.00", "1500.00", false}, {0, "0", "0", "1500.00", "1500.00", true}, {0, "0", "0", "1500.00", "1500.00", true}, {0, "0", "0", "0.00", "-65499.34", false}, {0, "0", "0", "-65499.34", "-64254.34", false}, {3, "1245.00", "62377.17", "-64254.34", "-126631.51", false}, {0, "0", "0", "0.00", "2545.00", false}, {0, "0", "0", "2545.00", "2545.00", true}, {0, "0", "0", "2545.00", "2545.00", true}, {0, "0", "0", "0.00", "5500.00", false}, {0, "0", "0", "5500.00", "5500.00", true}, {0, "0", "0", "5500.00", "5500.00", true}}},
	{file: "fruitl00p__php-mt940__Spk-sample.sta", stmts: []stmtWant{{4, "512.0", "0", "1818.90", "2330.90", true}, {4, "310.0", "16.68", "2330.90", "2624.22", true}, {1, "100.0", "0", "2624.22", "2724.22", true}, {1, "10.0", "0", "2724.22", "2734.22", true}}},
	{file: "fruitl00p__php-mt940__Triodos-sample.sta", stmts: []stmtWant{{4, "150.00", "300.00", "1000.00", "850.00", true}, {4, "150.00", "90.98", "950.12", "1009.14", true}}},
	{file: "fruitl00p__php-mt940__Zetb-sample.sta", stmts: []stmtWant{{8, "220000.00", "223743.91", "6213.05", "2469.14", true}}},
	{file: "svenstaro__mt940-rs__mt940-abnamro-mt940.sta", stmts: []stmtWant{{3, "0", "14.74", "1111.10", "2222.20", false}, {1, "0", "8.25", "5555.20", "6666.83", false}}},
	{file: "svenstaro__mt940-rs__mt940-bugs-issue-51.sta", stmts: []stmtWant{{3, "0", "141.04", "13564.13", "13523.09", false}}},
	{file: "svenstaro__mt940-rs__mt940-cmxl-mt940_2.sta", stmts: []stmtWant{{3, "20040.00", "10000.00", "40000.00", "50040.00", true}}},
	{file: "svenstaro__mt940-rs__mt940-danskebank-MT940_DK_Example.sta", stmts: []stmtWant{{7, "7183.49", "832015.03", "2478926.70", "1654095.16", true}, {3, "993.75", "75765.41", "1654095.16", "1579323.50", true}, {16, "0", "163408.12", "1579323.50", "1415915.38", true}, {9, "0", "74318.90", "1415915.38", "1341596.48", true}, {2, "3260.00", "494402.67", "1341596.48", "850453.81", true}, {1, "0", "3317.10", "850453.81", "847136.71", true}, {16, "0", "141083.98", "847136.71", "706052.73", true}, {2, "0", "975.25", "706052.73", "705077.48", true}, {3, "0", "1918.73", "705077.48", "703158.75", true}, {7, "0", "76451.36", "703158.75", "626707.39", true}, {3, "0", "14577.58", "626707.39", "612129.81", true}, {14, "1747425.00", "319133.19", "612129.81", "2040421.62", true}, {1, "2072226.11", "0", "2040421.62", "4112647.73", true}, {3, "79798.00", "332744.25", "4112647.73", "3859701.48", true}, {2, "0", "8322.01", "3859701.48", "3851379.47", true}}},
	{file: "svenstaro__mt940-rs__mt940-danskebank-MT940_FI_Example.sta", stmts: []stmtWant{{6, "0.23", "1357.33", "54484.04", "53126.94", true}}},
	{file: "svenstaro__mt940-rs__mt940-sparkasse-buxtehude.sta", stmts: []stmtWant{{3, "0", "141.04", "13564.13", "13523.09", false}}},
	{file: "svenstaro__mt940-rs__mt940-special-cases-incomplete_tag_61.sta", warnings: 1, stmts: []stmtWant{{1, "0", "233.15", "12345.12", "12345.98", false}}},
	{file: "svenstaro__mt940-rs__mt940-special-cases-invalid_utf8.sta", stmts: []stmtWant{{7, "2066637.00", "3078850.50", "25170637.10", "25281687.60", false}}},
	{file: "svenstaro__mt940-rs__mt940-special-cases-unknown_tag.sta", stmts: []stmtWant{{1, "0", "6.00", "1200.00", "1194.00", true}}},
	{file: "svenstaro__mt940-rs__mt942-jejik-rabobank.sta", stmts: []stmtWant{{1, "0", "1213.28", "473.17", "395.82", false}, {0, "0", "0", "1000.89", "1000.89", true}, {2, "0", "281.51", "1295.82", "1250.87", false}, {2, "0", "94.30", "4196.12", "4101.82", true}}},
	{file: "svenstaro__mt940-rs__mt942-mBank-mt942.sta", stmts: []stmtWant{{11, "49396.74", "49309.44", "84349.74", "84437.04", true}}},
	{file: "wolph__mt940__ASNB-mt940.txt", stmts: []stmtWant{{1, "0", "65.00", "444.29", "379.29", true}, {0, "0", "0", "379.29", "379.29", true}, {0, "0", "0", "379.29", "379.29", true}, {0, "0", "0", "379.29", "379.29", true}, {2, "1000.00", "801.55", "379.29", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {0, "0", "0", "577.74", "577.74", true}, {1, "0", "1.65", "577.74", "576.09", true}, {0, "0", "0", "576.09", "576.09", true}, {0, "0", "0", "576.09", "576.09", true}, {0, "0", "0", "576.09", "576.09", true}, {2, "828.72", "1000.00", "576.09", "404.81", true}, {0, "0", "0", "404.81", "404.81", true}, {2, "1000.18", "903.76", "404.81", "501.23", true}}},
	{file: "wolph__mt940__betterplace-amount_formats.sta", wantErr: true},
	{file: "wolph__mt940__betterplace-sepa_mt9401.sta", stmts: []stmtWant{{7, "997241.96", "1000151.83", "-1234718.36", "-1237628.23", true}, {2, "15000.05", "500250.0", "-970499.9", "-1455749.85", true}, {5, "125180.81", "653219.32", "-1709296.34", "-2237334.85", true}, {3, "1050000.0", "0", "3192675.04", "4242675.04", true}, {5, "204.88", "726899.15", "-2368827.87", "-3095522.14", true}, {1, "50990.05", "0", "152970.15", "203960.2", true}, {4, "19990.05", "10061.68", "-40432.2", "-30503.83", true}, {4, "0", "70350.62", "-30503.83", "-100854.45", true}, {8, "201202.10", "7650.24", "-1552497.38", "-1358945.52", true}, {3, "0", "944525.59", "-1358945.52", "-2303471.11", true}, {6, "915646.88", "18163.85", "-3829477.87", "-2931994.84", true}, {6, "0", "2087703.12", "-2931994.84", "-5019697.96", true}, {6, "171052.00", "411579.81", "-5777585.57", "-6018113.38", true}, {3, "0", "2826312.0", "-6018113.38", "-8844425.38", true}, {1, "13990.05", "0", "13990.05", "27980.1", true}, {5, "0", "20066.02", "-3612519.02", "-3632585.04", true}, {5, "0", "182316.43", "-3632585.04", "-3814901.47", true}, {2, "0", "1298692.05", "-3814901.47", "-5113593.52", true}, {1, "50990.05", "0", "152970.15", "203960.2", true}, {3, "92990.19", "0", "145964.58", "238954.77", true}, {4, "360093.91", "1500.0", "766656.49", "1125250.4", true}, {7, "1070951.81", "3572569.03", "-1970431.87", "-4472049.09", true}, {3, "52900.10", "125300.1", "-324910.25", "-397310.25", true}, {1, "0", "150.0", "-450.0", "-600.0", true}, {1, "0", "150.0", "-450.0", "-600.0", true}, {1, "50.05", "0", "0.0", "50.05", true}}},
	{file: "wolph__mt940__betterplace-sepa_snippet.sta", stmts: []stmtWant{{4, "360093.91", "1500.00", "766656.49", "1125250.4", true}, {7, "1070651.81", "3572569.11", "-1970431.87", "-4472049.09", false}}},
	{file: "wolph__mt940__betterplace-with_binary_character.sta", stmts: []stmtWant{{3, "13095.30", "193282.05", "380115.77", "199929.02", true}, {1, "1120.00", "0", "130073.19", "131193.19", true}}},
	{file: "wolph__mt940__citi-mt940.txt", quarantined: 2, stmts: []stmtWant{{5, "0.00", "1142.75", "17376.67", "16233.92", true}}},
	{file: "wolph__mt940__cmxl-mt940.sta", stmts: []stmtWant{{11, "49396.74", "49309.44", "84349.74", "84437.04", true}, {2, "3000.0", "800.0", "2187.95", "4387.95", true}, {3, "20040.00", "10000.00", "40000.00", "50040.00", true}}},
	{file: "wolph__mt940__cmxl-statement_details.sta", wantErr: true},
	{file: "wolph__mt940__jejik-abnamro.sta", stmts: []stmtWant{{8, "0", "321.44", "3236.28", "876.84", false}, {2, "0", "24.49", "2876.84", "1849.75", false}}},
	{file: "wolph__mt940__jejik-generic.sta", stmts: []stmtWant{{1, "0", "10.00", "100.00", "90.00", true}, {1, "0", "10.00", "90.00", "80.00", true}}},
	{file: "wolph__mt940__jejik-ing.sta", stmts: []stmtWant{{7, "4.68", "50.27", "0.00", "3.47", false}}},
	{file: "wolph__mt940__jejik-knab.sta", stmts: []stmtWant{{1, "500.0", "0", "0.0", "500.0", true}, {2, "500", "7260.0", "3058.98", "798.98", false}}},
	{file: "wolph__mt940__jejik-postfinance.sta", stmts: []stmtWant{{2, "229.2", "0", "0.0", "229.2", true}, {2, "10.1", "79.9", "229.2", "159.6", false}}},
	{file: "wolph__mt940__jejik-rabobank-iban.sta", stmts: []stmtWant{{2, "0", "35.00", "1000.00", "965.00", true}, {2, "0", "35.00", "965.00", "930.00", true}}},
	{file: "wolph__mt940__jejik-rabobank.sta", stmts: []stmtWant{{1, "0", "1213.28", "473.17", "395.82", false}, {0, "0", "0", "1000.89", "1000.89", true}, {2, "0", "281.51", "1295.82", "1250.87", false}, {2, "0", "94.30", "4196.12", "4101.82", true}}},
	{file: "wolph__mt940__jejik-sns.sta", stmts: []stmtWant{{2, "0", "25.00", "1234.56", "1209.56", true}, {0, "0", "0", "1209.56", "1209.56", true}}},
	{file: "wolph__mt940__jejik-triodos.sta", stmts: []stmtWant{{2, "0", "715.70", "4975.09", "4370.79", false}}},
	{file: "wolph__mt940__mBank-mt940.sta", stmts: []stmtWant{{3, "0.03", "0", "0.40", "0.43", true}}},
	{file: "wolph__mt940__mBank-mt942.sta", stmts: []stmtWant{{3, "0.03", "0", "", "", false}}},
	{file: "wolph__mt940__mBank-with_newline_in_tnr.sta", stmts: []stmtWant{{2, "89.00", "0", "0.46", "860.17", false}}},
	{file: "wolph__mt940__sberbank-171011_01234945.sta", stmts: []stmtWant{{3, "0", "9437.00", "627311.30", "617874.30", true}}},
	{file: "wolph__mt940__self-provided-details_60-63.sta", warnings: 1, stmts: []stmtWant{{1, "0", "233.15", "12345.12", "12345.98", false}}},
	{file: "wolph__mt940__self-provided-february_30.sta", warnings: 1, stmts: []stmtWant{{1, "0", "6.00", "1200.00", "1194.00", true}}},
	{file: "wolph__mt940__self-provided-gv_codes.sta", warnings: 1, stmts: []stmtWant{{2, "0", "257.45", "12345.12", "", false}}},
	{file: "wolph__mt940__self-provided-malformed_details.sta", warnings: 1, stmts: []stmtWant{{1, "0", "233.15", "12345.12", "12345.98", false}}},
	{file: "wolph__mt940__self-provided-mt942.sta", stmts: []stmtWant{{1, "0", "0.42", "", "", false}}},
	{file: "wolph__mt940__self-provided-multiline.sta", quarantined: 1, orphans: 1, stmts: []stmtWant{{1, "0", "5.0", "16.40", "11.40", true}}},
	{file: "wolph__mt940__self-provided-raiffeisen-cmi.sta", stmts: []stmtWant{{7, "2066637.00", "3078850.50", "25170637.10", "25281687.60", false}}},
	{file: "wolph__mt940__self-provided-raphaelm.sta", stmts: []stmtWant{{6, "105000.00", "0", "0.00", "105000.00", true}, {2, "40000.00", "0", "105000.00", "145000.00", true}, {1, "0", "50000.00", "145000.00", "95000.00", true}}},
	{file: "wolph__mt940__self-provided-transaction_details_wrapped.sta", warnings: 1, stmts: []stmtWant{{1, "0", "6.00", "1200.00", "1194.00", true}}},
	{file: "wolph__mt940__self-provided-wrapped_timestamp.sta", warnings: 1, stmts: []stmtWant{{1, "0", "6.00", "1200.00", "1194.00", true}}},
}

var raw61 = regexp.MustCompile(`^:61:\d{6}(?:\d{4}| {4})?(RC|RD|C|D|EC|ED)[A-Z]?([0-9][0-9.,]*)`)

func TestCorpus(t *testing.T) {
	for _, tc := range corpusWant {
		t.Run(tc.file, func(t *testing.T) {
			data := corpus.Read(t, "mt940/"+tc.file)
			res, err := Parse(data, Options{FileName: tc.file})
			if tc.wantErr {
				if !errors.Is(err, ErrNotMT940) {
					t.Fatalf("want ErrNotMT940, got %v", err)
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
				}
			}
			if warnings != tc.warnings {
				t.Errorf("warnings = %d, want %d: %v", warnings, tc.warnings, b.Notes)
			}
			total := tc.orphans
			// Transactions and errors carry line numbers, increasing through the file, so
			// the statement of each is found by walking both in line order.
			txi, eri := 0, 0
			for i, w := range tc.stmts {
				s, per := b.Statements[i], res.Periods[i]
				total += w.lines
				if per.Entries != w.lines {
					t.Errorf("statement %d: lines = %d, want %d", i, per.Entries, w.lines)
				}
				cr, db := decimal.Zero, decimal.Zero
				for n := 0; n < w.lines; n++ {
					if eri < len(b.Errors) && (txi >= len(b.Txns) || b.Errors[eri].Record < b.Txns[txi].Record) {
						e := b.Errors[eri]
						eri++
						m := raw61.FindStringSubmatch(e.Raw)
						if m == nil {
							t.Fatalf("line %d: no amount in raw %q", e.Record, e.Raw)
						}
						v, err := parseAmount(m[2])
						if err != nil {
							t.Fatal(err)
						}
						if m[1] == "C" || m[1] == "RD" || m[1] == "EC" {
							cr = cr.Add(v)
						} else {
							db = db.Add(v)
						}
						continue
					}
					x := b.Txns[txi]
					txi++
					if !x.Amount.IsPositive() {
						t.Errorf("line %d: amount %s", x.Record, x.Amount)
					}
					switch s.Account {
					case x.To:
						cr = cr.Add(x.Amount)
					case x.From:
						db = db.Add(x.Amount)
					default:
						t.Errorf("line %d: %s -> %s does not touch %s", x.Record, x.From, x.To, s.Account)
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
				got := per.Reconciled
				if per.Quarantined > 0 && per.Computed.Valid && per.Closing.Valid {
					got = per.Computed.Decimal.Add(per.QuarantinedCredits).Sub(per.QuarantinedDebits).Equal(per.Closing.Decimal)
					if per.Reconciled && (!per.QuarantinedCredits.IsZero() || !per.QuarantinedDebits.IsZero()) {
						t.Errorf("statement %d reconciles although amounts are quarantined", i)
					}
				}
				if got != w.reconciles {
					t.Errorf("statement %d: reconciles = %v, want %v (%+v)", i, got, w.reconciles, per)
				}
			}
			if b.Records != total {
				t.Errorf("Records = %d, want %d", b.Records, total)
			}
			canontest.CheckBatch(t, b)
		})
	}
}
