package csvprofile

import (
	"regexp"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/canon/canontest"
)

// dataLine counts the file's transaction rows independently of the reader: lines that
// start with a booking date and a field separator, wherever they stand (above the header
// too).
var dataLine = regexp.MustCompile(`(?m)^[0-9]{2}\.[0-9]{2}\.[0-9]{4};`)

// TestMutants damages a bank CSV export the ways issue 19 lists (a cut inside the last
// field, rows shuffled above the header, doubled and deleted rows, digit runs) and checks
// that every row of a damaged file is loaded, quarantined, noted as skipped or the file
// refused.
func TestMutants(t *testing.T) {
	p := mustParse(t, testProfile+"header_pattern: '^Buchung;'\n")
	own := "Kontoauszug DE89 3704 0044 0532 0130 00\n" + testHeader +
		"01.03.2024;02.03.2024;1.234,56;Anna Payer;DE44500105175407324931;Miete;;A1\n" +
		"02.03.2024;;-24.187,50;Shop;;Bargeld;;A2\n" +
		"03.03.2024;;0,00;Notice;;x;;A3\n" +
		"04.03.2024;;\"-52,95\";\"Two\r\nlines\";;y;vorgemerkt;A4\n" +
		"05.03.2024;;10,00;Last;;z;;A5"
	seeds := map[string][]byte{"own": []byte(own)}
	tally := canontest.Run(t, seeds, func(b []byte) (canon.Batch, []canon.Period, error) {
		r, err := Decode(b, p, Options{Account: ownIBAN})
		if err != nil {
			return canon.Batch{}, nil, err
		}
		for _, s := range r.Skipped {
			r.Batch.Notes = append(r.Batch.Notes, canon.Note{Record: s.Line, Kind: s.Kind, Text: s.Reason})
		}
		return r.Batch, nil, nil
	}, func(b []byte) int {
		return len(dataLine.FindAll([]byte(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(b))), -1))
	})
	t.Logf("csv: %d seeds, %s", len(seeds), tally)
}
