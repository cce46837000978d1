package canon

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestNormalizeIBAN(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"AT61 1904 3002 3457 3201", "AT611904300234573201", true},
		{"si56 2633 0001 2039 086", "SI56263300012039086", true},
		{"BA39-1290-0794-0102-8494", "BA391290079401028494", true},
		{"DE89370400440532013000", "DE89370400440532013000", true},
		{"AT611904300234573202", "", false},        // check digits
		{"DE12 3456 7890 1234 5678 90", "", false}, // the anonymised ING sample: fails mod-97
		{"AT6119043002345732011", "", false},       // length for AT
		{"XX12", "", false},
		{"AT61 1904 3002 3457 320!", "", false},
		// Worked out by hand: GB29NWBK60161331926819 leaves remainder 1 (valid); with check
		// digits 28 the remainder is 0, which mod-97 must refuse (a check "remainder 0 or 1"
		// would pass it). The same for Norway's 15 characters, NO93 / NO92.
		{"GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819", true},
		{"GB28NWBK60161331926819", "", false},
		{"NO93 8601 1117 947", "NO9386011117947", true},
		{"NO9286011117947", "", false},
		{"NO938601111794", "", false},   // 14 characters
		{"NO9386011117947X", "", false}, // 16 characters
	}
	for _, c := range cases {
		got, err := NormalizeIBAN(c.in)
		if c.ok != (err == nil) || got != c.want {
			t.Errorf("NormalizeIBAN(%q) = %q, %v", c.in, got, err)
		}
		if !c.ok && !errors.Is(err, ErrIBAN) {
			t.Errorf("NormalizeIBAN(%q) error %v is not ErrIBAN", c.in, err)
		}
	}
}

// TestEveryNorwegianIBAN checks NormalizeIBAN against an independent computation (math/big
// over the whole number, ISO 13616's definition) for 20,000 Norwegian account numbers
// spread over the 11-digit range: each with its right check digits is accepted (15
// characters, the shortest IBAN there is), each of the 96 other check digits refused.
func TestEveryNorwegianIBAN(t *testing.T) {
	checkDigits := func(bban string) string {
		n, _ := new(big.Int).SetString(bban+"2324"+"00", 10) // N=23, O=24
		r := new(big.Int).Mod(n, big.NewInt(97)).Int64()
		return fmt.Sprintf("%02d", 98-r)
	}
	for i := int64(0); i < 20000; i++ {
		bban := fmt.Sprintf("%011d", i*4999999+7) // spread over 0..99,999,980,007
		want := "NO" + checkDigits(bban) + bban
		if got, err := NormalizeIBAN(want); err != nil || got != want {
			t.Fatalf("%s refused: %v", want, err)
		}
		if i%500 == 0 {
			for cd := 0; cd <= 99; cd++ {
				iban := fmt.Sprintf("NO%02d%s", cd, bban)
				if iban == want {
					continue
				}
				if _, err := NormalizeIBAN(iban); err == nil {
					t.Fatalf("%s accepted (right check digits %s)", iban, want[2:4])
				}
			}
		}
	}
}

func TestCounterpartyAccount(t *testing.T) {
	cases := []struct {
		channel, iban, bank, number, name string
		want, kind                        string
		err                               bool
	}{
		{ChannelTransfer, "SI56 2633 0001 2039 086", "", "", "Kovač", "SI56263300012039086", KindBank, false},
		{ChannelTransfer, "", "12345", "000 111", "", "acct:12345:000111", KindBank, false},
		{ChannelTransfer, "", "", "AT611904300234573201", "", "AT611904300234573201", KindBank, false},
		{ChannelTransfer, "", "", "", "Petrol d.d.", "external:name:petrol d d", KindExternal, false},
		{ChannelTransfer, "", "", "", "Šarić  Đorđe", "external:name:saric dorde", KindExternal, false},
		{ChannelCard, "", "", "", "", "external:unknown", KindExternal, false},
		{ChannelCashWithdrawal, "XX", "", "", "ATM", "cash:AT611904300234573201", KindCash, false},
		// A bad check digit: kept as written, an unverified external account, with a warning.
		{ChannelTransfer, "AT61 1904 3002 3457 3202", "", "", "", "external:unverified-iban:AT611904300234573202", KindExternal, true},
		{ChannelTransfer, "", "", "DE00000000000000000000", "Kedder", "external:unverified-iban:DE00000000000000000000", KindExternal, true},
	}
	for _, c := range cases {
		id, kind, err := CounterpartyAccount(c.channel, "AT611904300234573201", c.iban, c.bank, c.number, c.name)
		if (err != nil) != c.err || id != c.want || kind != c.kind {
			t.Errorf("%+v: got %q %q %v", c, id, kind, err)
		}
	}
}

func TestNameKey(t *testing.T) {
	for in, want := range map[string]string{
		"Stefan Jovanović":         "stefan jovanovic",
		"  KOVAČ, Ivan-Marko ":     "kovac ivan marko",
		"Čeferin d.o.o.":           "ceferin d o o",
		"Йован Петровић":           "jovan petrovic",
		"Đorđe Đorđević":           "dorde dordevic",
		"Djordje Djordjevic":       "dorde dordevic",
		"Ђорђе Ђорђевић":           "dorde dordevic",
		"Dorde Dordevic":           "dorde dordevic",
		"Љубица Њежић":             "ljubica njezic",
		"Ѓорѓи Ќосев":              "gjorgji kjosev",
		"Müller-Lüdenscheidt GmbH": "muller ludenscheidt gmbh",
	} {
		if got := NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAccountIndexMerges(t *testing.T) {
	var b Batch
	ix := AccountIndex{}
	ix.Add(&b, Account{ID: "A", Kind: KindBank, HolderName: "Ana"})
	ix.Add(&b, Account{ID: "B", Kind: KindBank})
	ix.Add(&b, Account{ID: "A", IBAN: "X", HolderName: "Other", Statement: true,
		Opening: decimal.NewNullDecimal(decimal.RequireFromString("12.50"))})
	ix.Add(&b, Account{ID: "A", Opening: decimal.NewNullDecimal(decimal.RequireFromString("99"))})
	if len(b.Accounts) != 2 || b.Accounts[0].ID != "A" || b.Accounts[1].ID != "B" {
		t.Fatalf("accounts %+v, want A then B once each", b.Accounts)
	}
	a := b.Accounts[0]
	// Fields first seen win; empty ones are filled; the flag is sticky; the first known
	// opening balance stays.
	if a.HolderName != "Ana" || a.IBAN != "X" || !a.Statement || a.Opening.Decimal.String() != "12.5" || a.Kind != KindBank {
		t.Errorf("merged %+v", a)
	}
}

// FuzzNormalizeIBAN feeds arbitrary text to NormalizeIBAN: it never panics; an accepted IBAN
// is upper-case alphanumeric, has its country's registered length, passes mod-97 and
// normalises to itself; a refused one is ErrIBAN with a short message; and
// CounterpartyAccount never refuses, giving an unverified external id for a refused IBAN.
func FuzzNormalizeIBAN(f *testing.F) {
	for _, s := range []string{"GB29 NWBK 6016 1331 9268 19", "NO9386011117947", "DE89370400440532013000", "de89-3704-0044-0532-0130-00", "XX00", "NO0000000000000", strings.Repeat("9", 80)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := NormalizeIBAN(s)
		if err != nil {
			if !errors.Is(err, ErrIBAN) || len(err.Error()) > 300 {
				t.Fatalf("%q: %v", s, err)
			}
			id, kind, warn := CounterpartyAccount(ChannelTransfer, "AT611904300234573201", s, "", "", "")
			if strings.TrimSpace(s) != "" && (warn == nil || kind != KindExternal || !strings.HasPrefix(id, UnverifiedPrefix) || len(id) > len(UnverifiedPrefix)+64) {
				t.Fatalf("%q: counterparty %q %q %v", s, id, kind, warn)
			}
			return
		}
		if want, ok := ibanLengths[v[:2]]; ok && len(v) != want {
			t.Fatalf("%q gave %q of length %d, %s wants %d", s, v, len(v), v[:2], want)
		}
		if mod97(v[4:]+v[:4]) != 1 || strings.ToUpper(v) != v {
			t.Fatalf("%q gave %q", s, v)
		}
		if again, err := NormalizeIBAN(v); err != nil || again != v {
			t.Fatalf("%q: %q normalises to %q, %v", s, v, again, err)
		}
	})
}
