package report_test

import (
	"archive/zip"
	"context"
	"database/sql"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/report"
)

// idLedger is a statement whose transaction ids embed the account's IBAN (as a bank's export
// gives them) and which pays a payee known only by name: the leaks issue 19 found.
const idLedger = `txn_id,booked_at,from_account,to_account,amount,currency,channel,reference
HR6423400091844635758:PBZ001,2024-03-01,cash:collector,HR6423400091844635758,1000.00,EUR,cash_deposit,
HR6423400091844635758:PBZ002,2024-03-02,HR6423400091844635758,external:name:Ivan Horvat,400.00,EUR,transfer,rent
HR6423400091844635758:PBZ003,2024-03-03,HR6423400091844635758,DE89370400440532013000,300.00,EUR,transfer,
`

// outputText is every output of a report as text: the text files as they are, each part of
// the workbook, and each Parquet file's rows as DuckDB reads them.
func outputText(t *testing.T, dir string) map[string]string {
	t.Helper()
	pq, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer pq.Close()
	out := map[string]string{}
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch filepath.Ext(p) {
		case ".xlsx":
			z, err := zip.OpenReader(p)
			if err != nil {
				return err
			}
			defer z.Close()
			for _, f := range z.File {
				r, err := f.Open()
				if err != nil {
					return err
				}
				b, _ := io.ReadAll(r)
				r.Close()
				out[rel+"/"+f.Name] = string(b)
			}
		case ".parquet":
			rows, err := pq.Query(`SELECT CAST(to_json(r) AS VARCHAR) FROM read_parquet(?) AS r`, p)
			if err != nil {
				return err
			}
			var b strings.Builder
			for rows.Next() {
				var s string
				rows.Scan(&s)
				b.WriteString(s + "\n")
			}
			rows.Close()
			out[rel] = b.String()
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMaskEveryOutput: a masked report holds no account number and no name of its inputs in
// any output (CSV, Parquet, workbook, HTML, graphs, manifests), transaction ids and
// external:name: ids included.
func TestMaskEveryOutput(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := casedb.Open(ctx, filepath.Join(dir, "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in := filepath.Join(dir, "pbz.csv")
	if err := os.WriteFile(in, []byte(idLedger), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.File(ctx, db, in, ingest.Options{Format: ingest.FormatLedger, Now: declared}); err != nil {
		t.Fatal(err)
	}
	if _, err := trace(db, "fifo", "txn:HR6423400091844635758:PBZ001"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO runs VALUES ('rules-mask', 'rules', TIMESTAMP '2025-01-02 03:04:05', 'test', NULL, '{}',
			'{"kind":"rules","packs":[{"name":"t","version":"1.0.0","origin":"builtin","sha256":"ab","rules":["r"]}],"params":{},"txns":3,"findings":1}')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO findings VALUES ('rules-mask', 'r', 't', '1.0.0', 'external:name:Ivan Horvat', 400.00, 0.5,
			'HR6423400091844635758:PBZ002', 'paid to Ivan Horvat')`); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"HR6423400091844635758", "6423400091844635758", "23400091844635758", "DE89370400440532013000", "370400440532013000",
		"Ivan Horvat", "Horvat", "ivan horvat"}
	checked := 0
	// The latest trace run and the latest rules run, in every output form.
	got := outputText(t, write(t, db, "", report.Options{Mask: true}))
	for name, text := range got {
		checked++
		for _, s := range secrets {
			if i := strings.Index(text, s); i >= 0 {
				t.Errorf("masked %s contains %q: …%s…", name, s, text[max(0, i-40):min(len(text), i+len(s)+40)])
			}
		}
	}
	if flows := got[filepath.Join(report.CSVDir, "flows.csv")]; !strings.Contains(flows, "HR****5758:PBZ002") {
		t.Errorf("masked flows.csv lacks the masked transaction id:\n%s", flows)
	}
	if checked < 20 {
		t.Errorf("only %d outputs searched", checked)
	}
	t.Logf("%d outputs searched for %d secrets", checked, len(secrets))
}
