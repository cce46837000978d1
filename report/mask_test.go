package report

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestMaskValues(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SI56263300012039086", "SI****9086"},
		{"cash:SI56263300012039086", "cash:SI****9086"},
		{"cash:atm-vienna", "cash:atm-vienna"},
		{"acct:bank:M001", "acct:bank:****"},
		{"mto:western-union:9132958635", "mto:western-union:****8635"},
		{"external:name:Ivan Horvat", "external:name:I.H."},
		{"external:DE89370400440532013000", "external:DE****3000"},
	} {
		if got := maskAccount(c.in); got != c.want {
			t.Errorf("maskAccount(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"Stefan Jovanović", "S.J."}, {"Transport Kovač d.o.o.", "T.K.D."}, {"đorđe-ana šimić", "Đ.A.Š."}, {"", "?"},
	} {
		if got := maskName(c.in); got != c.want {
			t.Errorf("maskName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Collisions get a number in sorted order, whatever order the values come in.
	a := unique([]string{"SI56000000000001234", "SI56111111111111234", "SI56000000000001234"}, maskAccount)
	b := unique([]string{"SI56111111111111234", "SI56000000000001234"}, maskAccount)
	if a["SI56000000000001234"] != "SI****1234" || a["SI56111111111111234"] != "SI****1234~2" || a["SI56111111111111234"] != b["SI56111111111111234"] {
		t.Errorf("collisions: %v, %v", a, b)
	}
}

// TestExcelNumber checks that amounts reach the workbook with their exact digits: the float
// written is the shortest one that reads back as the amount, and amounts with more digits
// than a spreadsheet keeps are refused (written as text).
func TestExcelNumber(t *testing.T) {
	sum := decimal.RequireFromString("0.1").Add(decimal.RequireFromString("0.2"))
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{sum.String(), 0.3, true},
		{"84.53", 84.53, true},
		{"-0.01", -0.01, true},
		{"0.125", 0.125, true},
		{"4800.000000", 4800, true},
		{"1234567890123.45", 1234567890123.45, true},
		{"12345678901234.56", 0, false},
		{"90071992547409.93", 0, false},
	} {
		got, ok := excelNumber(decimal.RequireFromString(c.in))
		if ok != c.ok || got != c.want {
			t.Errorf("excelNumber(%s) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	for _, c := range []struct{ in, want string }{{"84.5", "84.50"}, {"4800", "4800.00"}, {"0.125000", "0.125"}, {"-3", "-3.00"}} {
		if got := moneyText(decimal.RequireFromString(c.in)); got != c.want {
			t.Errorf("moneyText(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	if got := groupThousands("-1234567.50"); got != "-1,234,567.50" {
		t.Errorf("groupThousands = %s", got)
	}
}
