package mt940

import (
	"regexp"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/canon/canontest"
)

// line61Start counts the file's statement lines independently of the reader: lines that
// start with ":61:" (CRLF, LF or CR line ends).
var line61Start = regexp.MustCompile(`(?m)^:61:`)

func count61(data []byte) int {
	return len(line61Start.FindAll([]byte(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(data))), -1))
}

// TestMutants damages statements the ways issue 19 lists (cuts, deleted and doubled lines,
// shuffles, digit runs) and checks that every :61: line of each damaged file is loaded,
// quarantined or the file refused, and that a reconciled statement adds up.
func TestMutants(t *testing.T) {
	seeds := canontest.Seeds(t, stmt("1047,05",
		":61:240102C1000,00NTRFNONREF//B1\n:86:166?00GUTSCHRIFT?20Miete?32ANNA PAYER?31DE44500105175407324931",
		":61:2401030103D24187,50NMSCNONREF\n:86:Jan Jans",
		":61:240104C24187,50NTRFREF2",
		":61:240105D52,95NCHGNONREF"), "mt940/*.sta", 4<<10)
	tally := canontest.Run(t, seeds, func(b []byte) (canon.Batch, []canon.Period, error) {
		r, err := Parse(b, Options{})
		if err != nil {
			return canon.Batch{}, nil, err
		}
		return r.Batch, r.Periods, nil
	}, count61)
	t.Logf("mt940: %d seeds, %s", len(seeds), tally)
}
