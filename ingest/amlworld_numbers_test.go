package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/ingest/amlworld"
)

// TestAMLWorldNumbersMatchGeneralPath loads two AMLworld files that share accounts through
// the SQL fast path (alone, after another source, after the general loader stored the
// first file) and the same transactions as ledger files through the general loader, and
// requires the same account_no for every account and the same from_no/to_no for every
// transaction.
func TestAMLWorldNumbersMatchGeneralPath(t *testing.T) {
	var buf bytes.Buffer
	if err := fixtures.WriteAMLWorld(&buf, fixtures.AMLWorldOptions{Rows: 2000, Accounts: 1500, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(buf.String(), "\n"), "\n")
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var aml, ledger [2]string
	seen := [2]map[string]bool{{}, {}}
	for i, part := range [][]string{lines[1:1000], lines[1000:]} {
		data := lines[0] + strings.Join(part, "")
		aml[i] = write(fmt.Sprintf("aml%d.csv", i), data)
		ref, err := amlworld.Read([]byte(data))
		if err != nil || len(ref.Errors) > 0 {
			t.Fatalf("reference read: %v %v", err, ref.Errors)
		}
		var l strings.Builder
		l.WriteString("txn_id,booked_at,from_account,to_account,amount,currency\n")
		for _, x := range ref.Txns {
			seen[i][x.From], seen[i][x.To] = true, true
			fmt.Fprintf(&l, "F%dL%d,%s,%s,%s,%s,%s\n", i, x.Record, x.BookedAt.Format("2006-01-02T15:04"), x.From, x.To, x.Amount.String(), x.Currency)
		}
		ledger[i] = write(fmt.Sprintf("ledger%d.csv", i), l.String())
	}
	numbers := func(files []string, formats []string) (accounts, txns string) {
		db := newCase(t)
		for i, f := range files {
			if res := ingestFile(t, db, f, Options{Format: formats[i]}); res.Loaded == 0 || res.Quarantined != 0 {
				t.Fatalf("%s: loaded %d, quarantined %d", f, res.Loaded, res.Quarantined)
			}
		}
		if n := one[int64](t, db, `SELECT count(*) FROM transactions WHERE from_no IS NULL OR to_no IS NULL`); n != 0 {
			t.Errorf("%d transactions without account numbers", n)
		}
		return one[string](t, db, `SELECT string_agg(account_id || '=' || account_no, ' ' ORDER BY account_no) FROM accounts`),
			one[string](t, db, `SELECT string_agg(from_no || '>' || to_no, ' ' ORDER BY seq) FROM transactions`)
	}
	// The second file must bring new accounts (numbered after the first file's) and reuse
	// others (numbered by the first file).
	var reused, added int
	for a := range seen[1] {
		if seen[0][a] {
			reused++
		} else {
			added++
		}
	}
	if reused == 0 || added == 0 {
		t.Fatalf("second file reuses %d accounts and adds %d: the test needs both", reused, added)
	}
	other := write("other.csv", "txn_id,booked_at,from_account,to_account,amount,currency\n"+
		"O1,2022-08-01,zz:other,aa:other,5.00,EUR\nO2,2022-08-02,aa:other,mm:other,2.50,EUR\n")
	cases := []struct {
		name        string
		files, refs []string
		formats     []string
	}{
		// The first file's accounts are all new (numbered by cast), the second's are not
		// consecutive (numbered by join).
		{"fast path", aml[:], ledger[:], []string{FormatAMLWorld, FormatAMLWorld}},
		// New accounts numbered after another source's.
		{"after another source", []string{other, aml[0]}, []string{other, ledger[0]}, []string{FormatLedger, FormatAMLWorld}},
		{"general path then fast path", []string{ledger[0], aml[1]}, ledger[:], []string{FormatLedger, FormatAMLWorld}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantAccounts, wantTxns := numbers(c.refs, []string{FormatLedger, FormatLedger})
			accounts, txns := numbers(c.files, c.formats)
			if accounts != wantAccounts {
				t.Errorf("account numbers\n got %.300s\nwant %.300s", accounts, wantAccounts)
			}
			if txns != wantTxns {
				t.Errorf("transaction numbers\n got %.300s\nwant %.300s", txns, wantTxns)
			}
			if n := strings.Count(accounts, "="); n < 100 {
				t.Errorf("only %d accounts", n)
			}
		})
	}
	// The ENUM type of the fast path lives only inside the load's transaction.
	db := newCase(t)
	ingestFile(t, db, aml[0], Options{Format: FormatAMLWorld})
	if n := one[int64](t, db, `SELECT count(*) FROM duckdb_types() WHERE type_name = ?`, amlworldAccountType); n != 0 {
		t.Errorf("type %s left in the case", amlworldAccountType)
	}
}
