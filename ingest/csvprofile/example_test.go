package csvprofile_test

import (
	"fmt"

	"github.com/moneytrail/moneytrail/ingest/csvprofile"
)

// Example reads a small ING Germany export (Windows-1252, as the bank writes it) with the
// built-in profile Detect picks.
func Example() {
	data := []byte("Umsatzanzeige;Datei erstellt am: 28.12.2018 16:57\n" +
		"IBAN;DE89 3704 0044 0532 0130 00\n" +
		"Zeitraum;01.12.2018 - 28.12.2018\n" +
		"\n" +
		"Buchung;Wertstellungsdatum;Auftraggeber/Empf\xe4nger;Buchungstext;Verwendungszweck;Betrag;W\xe4hrung\n" +
		"28.12.2018;28.12.2018;Karl Karlsen;Gutschrift;Miete;1.050,00;EUR\n" +
		"27.12.2018;27.12.2018;Geldautomat;Bargeldauszahlung;;-200,00;EUR\n" +
		"27.12.2018;27.12.2018;Shop;Lastschrift;;-2,9x;EUR\n")
	name, ok := csvprofile.Detect(data)
	fmt.Println("profile:", name, ok)
	p, err := csvprofile.Builtin(name)
	if err != nil {
		fmt.Println(err)
		return
	}
	batch, err := csvprofile.Read(data, p, csvprofile.Options{FileName: "umsatz.csv"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range batch.Txns {
		fmt.Printf("line %d %s %s -> %s %s %s %s\n", t.Record, t.BookedAt.Format("2006-01-02"),
			t.From, t.To, t.Amount, t.Currency, t.Channel)
	}
	for _, e := range batch.Errors {
		fmt.Printf("quarantined line %d, field %s: %s\n", e.Record, e.Field, e.Reason)
	}
	st := batch.Statements[0]
	fmt.Println("period:", st.PeriodStart.Format("2006-01-02"), "to", st.PeriodEnd.Format("2006-01-02"))
	// Output:
	// profile: ing-de true
	// line 6 2018-12-28 external:name:karl karlsen -> DE89370400440532013000 1050 EUR transfer
	// line 7 2018-12-27 DE89370400440532013000 -> cash:DE89370400440532013000 200 EUR cash_withdrawal
	// quarantined line 8, field amount: column "Betrag": "-2,9x" is not an amount with decimal ',' and thousands '.': not an amount: "-2,9x" (unexpected "x")
	// period: 2018-12-01 to 2018-12-28
}
