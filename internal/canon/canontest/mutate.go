package canontest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// Mutant is one damaged copy of a seed file and what was done to it.
type Mutant struct {
	Name string
	Data []byte
}

// digitRun matches the numbers a digit-run mutant replaces.
var digitRun = regexp.MustCompile(`[0-9]+([.,][0-9]+)?`)

// closingTag matches the end tags a deletion mutant removes.
var closingTag = regexp.MustCompile(`</[A-Za-z:]+>`)

// Mutate makes the damaged copies of seed that issue 19 names, deterministically: the file
// cut at up to 48 offsets spread over it (inside every part: amounts, tags, last fields),
// each line deleted and each line doubled (up to 48 lines each), up to 48 end tags deleted
// one at a time, 8 shuffles of the lines, two adjacent lines swapped (up to 24), and, with
// runs, up to 6 numbers replaced by a 1 MiB digit run (the first by 5 MiB).
func Mutate(seed []byte, runs bool) []Mutant {
	var out []Mutant
	add := func(name string, b []byte) { out = append(out, Mutant{name, b}) }
	n := len(seed)
	for _, at := range spread(n, 48) {
		add(fmt.Sprintf("cut at byte %d of %d", at, n), append([]byte{}, seed[:at]...))
	}
	lines := bytes.SplitAfter(seed, []byte("\n"))
	join := func(ls [][]byte) []byte { return bytes.Join(ls, nil) }
	for _, i := range spread(len(lines), 48) {
		ls := append(append([][]byte{}, lines[:i]...), lines[i+1:]...)
		add(fmt.Sprintf("line %d deleted", i+1), join(ls))
		line := lines[i]
		if !bytes.HasSuffix(line, []byte("\n")) {
			line = append(append([]byte{}, line...), '\n')
		}
		dup := append(append(append([][]byte{}, lines[:i+1]...), line), lines[i+1:]...)
		add(fmt.Sprintf("line %d doubled", i+1), join(dup))
	}
	for _, i := range spread(len(lines)-1, 24) {
		ls := append([][]byte{}, lines...)
		ls[i], ls[i+1] = ls[i+1], ls[i]
		add(fmt.Sprintf("lines %d and %d swapped", i+1, i+2), join(ls))
	}
	rng := rand.New(rand.NewPCG(19, 3))
	for k := 0; k < 8 && len(lines) > 2; k++ {
		ls := append([][]byte{}, lines...)
		rng.Shuffle(len(ls), func(i, j int) { ls[i], ls[j] = ls[j], ls[i] })
		add(fmt.Sprintf("lines shuffled (%d)", k+1), join(ls))
	}
	tags := closingTag.FindAllIndex(seed, -1)
	for _, i := range spread(len(tags), 48) {
		t := tags[i]
		add(fmt.Sprintf("end tag %s at byte %d deleted", seed[t[0]:t[1]], t[0]), append(append([]byte{}, seed[:t[0]]...), seed[t[1]:]...))
	}
	var nums [][]int
	if runs {
		nums = digitRun.FindAllIndex(seed, -1)
	}
	for k, i := range spread(len(nums), 6) {
		size := 1 << 20
		if k == 0 {
			size = 5 << 20
		}
		r := nums[i]
		b := append(append(append([]byte{}, seed[:r[0]]...), bytes.Repeat([]byte("7"), size)...), seed[r[1]:]...)
		add(fmt.Sprintf("number at byte %d replaced by %d digits", r[0], size), b)
	}
	return out
}

// spread picks up to k indexes out of 0..n-1, evenly spaced, first and last included.
func spread(n, k int) []int {
	if n <= 0 {
		return nil
	}
	if n <= k {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, 0, k)
	for i := 0; i < k; i++ {
		out = append(out, i*(n-1)/(k-1))
	}
	return out
}

// Tally counts what a mutation test saw, for its log line and the closing note.
type Tally struct {
	Mutants, Refused, Crashes, SilentLosses int
}

// String gives the figures as the issue asks for them.
func (t Tally) String() string {
	return fmt.Sprintf("%d mutants: %d refused, %d crashes, 0 hangs (every mutant returned), %d silent losses", t.Mutants, t.Refused, t.Crashes, t.SilentLosses)
}

// Accounted is how many of a file's records a batch accounts for: its Records (loaded or
// quarantined) and the records a note says were deliberately not loaded (zero amounts,
// balance rows), each once.
func Accounted(b canon.Batch) int {
	inBatch := map[int]bool{}
	for _, x := range b.Txns {
		inBatch[x.Record] = true
	}
	for _, e := range b.Errors {
		inBatch[e.Record] = true
	}
	noted := map[int]bool{}
	for _, n := range b.Notes {
		if n.Record > 0 && n.Kind != canon.NoteWarning && !inBatch[n.Record] {
			noted[n.Record] = true
		}
	}
	return b.Records + len(noted)
}

// CheckAccounting asserts the accounting invariants of issue 19 on an accepted file: each
// record is loaded or quarantined, never both, and Records counts them (Records = distinct
// loaded records + quarantined); the file's own count of entries (entries, counted from
// its text by the caller) is not above what the batch accounts for (a silent loss); and a
// reconciled period has both balances with opening + credits - debits = closing, its
// credits and debits, when the file holds one statement, being the sums of the loaded
// transactions that touch the statement account. It returns whether a record was lost.
func CheckAccounting(t testing.TB, name string, b canon.Batch, periods []canon.Period, entries int) (lost bool) {
	t.Helper()
	loaded := map[int]bool{}
	for _, x := range b.Txns {
		loaded[x.Record] = true
	}
	for _, e := range b.Errors {
		if loaded[e.Record] {
			t.Errorf("%s: record %d both loaded and quarantined", name, e.Record)
		}
	}
	if b.Records != len(loaded)+len(b.Errors) {
		t.Errorf("%s: Records %d != %d loaded + %d quarantined", name, b.Records, len(loaded), len(b.Errors))
	}
	if got := Accounted(b); entries > got {
		t.Errorf("%s: the file holds %d entries, the batch accounts for %d: a silent loss", name, entries, got)
		lost = true
	}
	for i, p := range periods {
		if !p.Reconciled {
			continue
		}
		if !p.Opening.Valid || !p.Closing.Valid || !p.Opening.Decimal.Add(p.Credits).Sub(p.Debits).Equal(p.Closing.Decimal) {
			t.Errorf("%s: statement %d reconciled with opening %v + %s - %s, closing %v", name, i, p.Opening, p.Credits, p.Debits, p.Closing)
		}
	}
	if len(periods) == 1 && len(b.Statements) == 1 {
		acct, ccy := b.Statements[0].Account, b.Statements[0].Currency
		cr, db := decimal.Zero, decimal.Zero
		for _, x := range b.Txns {
			if x.Pending || (ccy != "" && x.Currency != ccy) {
				continue
			}
			switch acct {
			case x.To:
				cr = cr.Add(x.Amount)
			case x.From:
				db = db.Add(x.Amount)
			}
		}
		if p := periods[0]; !p.Credits.Equal(cr) || !p.Debits.Equal(db) {
			t.Errorf("%s: period credits %s debits %s, loaded transactions give %s and %s", name, p.Credits, p.Debits, cr, db)
		}
	}
	return lost
}

// Run parses every mutant of every seed with parse, which returns the batch, its periods and
// an error (refused), recovering a panic as a crash; accepted mutants are checked with
// CheckAccounting against entries(mutant). Digit-run mutants (megabytes each) are made of
// the seed named "own" only, and not with -short. It fails t on any crash or loss and returns the tally.
func Run(t *testing.T, seeds map[string][]byte, parse func([]byte) (canon.Batch, []canon.Period, error), entries func([]byte) int) Tally {
	t.Helper()
	var tally Tally
	names := make([]string, 0, len(seeds))
	for n := range seeds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, seedName := range names {
		seed := seeds[seedName]
		for _, m := range Mutate(seed, seedName == "own" && !testing.Short()) {
			tally.Mutants++
			name := seedName + ": " + m.Name
			b, ps, err, crashed := safely(parse, m.Data)
			switch {
			case crashed != "":
				tally.Crashes++
				t.Errorf("%s: crash: %s", name, crashed)
			case err != nil:
				tally.Refused++
				if len(err.Error()) > 2048 {
					t.Errorf("%s: error of %d bytes (errors quote excerpts): %.200s", name, len(err.Error()), err)
				}
			default:
				if CheckAccounting(t, name, b, ps, entries(m.Data)) {
					tally.SilentLosses++
				}
				for _, e := range b.Errors {
					if len(e.Reason) > 2048 {
						t.Errorf("%s: reason of %d bytes", name, len(e.Reason))
					}
				}
			}
		}
	}
	return tally
}

func safely(parse func([]byte) (canon.Batch, []canon.Period, error), data []byte) (b canon.Batch, ps []canon.Period, err error, crashed string) {
	defer func() {
		if r := recover(); r != nil {
			crashed = strings.TrimSpace(fmt.Sprint(r))
		}
	}()
	b, ps, err = parse(data)
	return b, ps, err, ""
}

// Seeds gives a mutation test its seeds: the reader's own sample as "own" and, unless the
// test runs with -short or the corpus is absent (said once in the log), the corpus files
// matching glob of at most maxBytes bytes, named by file.
func Seeds(t *testing.T, own []byte, glob string, maxBytes int) map[string][]byte {
	t.Helper()
	seeds := map[string][]byte{"own": own}
	switch d := corpus.Dir(); {
	case testing.Short():
	case d == "":
		t.Log("../shared/corpus is absent: mutants of the reader's own sample only")
	default:
		files, _ := filepath.Glob(filepath.Join(d, filepath.FromSlash(glob)))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil && len(b) <= maxBytes {
				seeds[filepath.Base(f)] = b
			}
		}
	}
	return seeds
}

// SeedMutants adds a fuzz target's seed and every k-th of its mutants (Mutate without digit
// runs) to the seed corpus, so that fuzzing starts from the damage issue 19 names.
func SeedMutants(f *testing.F, seed []byte, k int) {
	f.Add(seed)
	for i, m := range Mutate(seed, false) {
		if i%k == 0 {
			f.Add(m.Data)
		}
	}
}
