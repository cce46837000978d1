package report_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/report"
	"github.com/moneytrail/moneytrail/tracer"
	"github.com/moneytrail/moneytrail/tracer/casetrace"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var declared = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

const seedTxn = "NLB-240302-0001"

// sample is the case every test of the sample reads; building it takes about a second, so it
// is built once.
var sample struct {
	once sync.Once
	dir  string
	db   *casedb.DB
	err  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if sample.db != nil {
		sample.db.Close()
	}
	if sample.dir != "" {
		os.RemoveAll(sample.dir)
	}
	os.Exit(code)
}

// sampleCase returns the built-in sample files loaded into a case, the seed traced under every
// method, and a small rules run with two findings. Tests only read it.
func sampleCase(t *testing.T) *casedb.DB {
	t.Helper()
	sample.once.Do(func() {
		if sample.dir, sample.err = os.MkdirTemp("", "report-test-"); sample.err == nil {
			sample.db, sample.err = buildSample(sample.dir)
		}
	})
	if sample.err != nil {
		t.Fatal(sample.err)
	}
	return sample.db
}

func buildSample(dir string) (*casedb.DB, error) {
	ctx := context.Background()
	files, err := fixtures.WriteSample(filepath.Join(dir, "input"))
	if err != nil {
		return nil, err
	}
	db, err := casedb.Open(ctx, filepath.Join(dir, "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := ingest.File(ctx, db, f, ingest.Options{Now: declared}); err != nil {
			return db, fmt.Errorf("ingest %s: %w", f, err)
		}
	}
	if _, err := trace(db, "all", "txn:"+seedTxn); err != nil {
		return db, err
	}
	for _, q := range []string{
		`INSERT INTO runs VALUES ('rules-test', 'rules', TIMESTAMP '2025-01-02 03:04:05', 'test', NULL, '{}',
			'{"kind":"rules","packs":[{"name":"smuggling","version":"1.0.0","origin":"builtin","sha256":"ab","rules":["cash_in_out"]}],"params":{"cash_in_out":{"days":{"type":"int","value":7}}},"txns":13,"findings":2}')`,
		`INSERT INTO findings VALUES ('rules-test', 'cash_in_out', 'smuggling', '1.0.0', 'SI56263300012039086', 1900.00, 0.8,
			'NLB-240302-0001 NLB-240304-0007', 'cash out two days after a transfer from Stefan Jovanović')`,
		`INSERT INTO findings VALUES ('rules-test', 'cash_in_out', 'smuggling', '1.0.0', 'BA391290079401028494', 950.00, 0.5,
			'RZB-0306-1', NULL)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return db, err
		}
	}
	return db, nil
}

// trace runs and stores a trace of seeds under methods.
func trace(db *casedb.DB, methods string, seeds ...string) (*casetrace.Outcome, error) {
	ms, err := tracer.ParseMethods(methods)
	if err != nil {
		return nil, err
	}
	out, err := casetrace.Trace(context.Background(), db, casetrace.Options{Seeds: seeds, Methods: ms, ToolVersion: "test", StartedAt: declared})
	if err != nil {
		return nil, err
	}
	return out, out.Store(context.Background(), db)
}

func write(t *testing.T, db *casedb.DB, runID string, opt report.Options) string {
	t.Helper()
	dir := t.TempDir()
	opt.ToolVersion = "test"
	if err := report.Write(context.Background(), db, runID, dir, opt); err != nil {
		t.Fatal(err)
	}
	return dir
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return d
}

func queryDec(t *testing.T, db *casedb.DB, q string, args ...any) decimal.Decimal {
	t.Helper()
	var s string
	if err := db.QueryRowContext(context.Background(), "SELECT CAST(coalesce(("+q+"), 0) AS VARCHAR)", args...).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return dec(t, s)
}

// sheet reads a sheet with raw cell values (numbers as stored, not as formatted).
func sheet(t *testing.T, f *excelize.File, name string) (header []string, rows [][]string) {
	t.Helper()
	all, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatalf("sheet %s is empty", name)
	}
	return all[0], all[1:]
}

func colOf(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %s in %v", name, header)
	}
	return i
}

func cell(r []string, i int) string {
	if i < len(r) {
		return r[i]
	}
	return ""
}

// TestWorkbook re-reads the workbook: sheet names, totals equal to the database's, money as
// numbers with a currency format, frozen headers and filters, every Flows row resolvable to a
// transaction and its file and line.
func TestWorkbook(t *testing.T) {
	db := sampleCase(t)
	dir := write(t, db, "", report.Options{})
	f, err := excelize.OpenFile(filepath.Join(dir, report.WorkbookFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, report.Sheets) {
		t.Fatalf("sheets %v, want %v", got, report.Sheets)
	}
	run := "trace-"
	if err := db.QueryRow(`SELECT run_id FROM runs WHERE kind = 'trace'`).Scan(&run); err != nil {
		t.Fatal(err)
	}
	for _, name := range report.Sheets {
		panes, err := f.GetPanes(name)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: header row not frozen: %+v %v", name, panes, err)
		}
		if tables, err := f.GetTables(name); err != nil || len(tables) != 1 {
			t.Errorf("%s: %d filterable tables, want 1 (%v)", name, len(tables), err)
		}
	}

	// Summary: the totals table below the facts equals trace_summary.
	_, rows := sheet(t, f, "Summary")
	var th []string
	var totals [][]string
	for i, r := range rows {
		if len(r) > 0 && r[0] == "method" {
			th, totals = r, rows[i+1:]
			break
		}
	}
	if th == nil {
		t.Fatal("Summary has no totals table")
	}
	if len(totals) != 6 {
		t.Errorf("Summary: %d total rows, want 6 (one per method)", len(totals))
	}
	for _, r := range totals {
		for _, col := range []string{"seed_credit", "traced", "held", "exited", "exited_cash"} {
			dbCol := map[string]string{"seed_credit": "amount"}[col]
			if dbCol == "" {
				dbCol = col
			}
			want := queryDec(t, db, `SELECT `+dbCol+` FROM trace_summary WHERE run_id = ? AND method = ? AND origin = ?`, run, r[0], r[1])
			if got := dec(t, cell(r, colOf(t, th, col))); !got.Equal(want) {
				t.Errorf("Summary %s %s %s = %s, database %s", r[0], r[1], col, got, want)
			}
		}
	}

	// Positions and exits add up to the database's positions, per method.
	for _, c := range []struct{ sheet, kind string }{{"Positions", "account"}, {"Exits", "exit"}} {
		h, rows := sheet(t, f, c.sheet)
		sums := map[string]decimal.Decimal{}
		for _, r := range rows {
			sums[r[0]] = sums[r[0]].Add(dec(t, cell(r, colOf(t, h, "amount"))))
		}
		for _, m := range []string{"fifo", "prorata", "libr", "poison"} {
			want := queryDec(t, db, `SELECT sum(amount) FROM trace_positions WHERE run_id = ? AND method = ? AND holder_kind = ?`, run, m, c.kind)
			if !sums[m].Equal(want) {
				t.Errorf("%s %s: sum %s, database %s", c.sheet, m, sums[m], want)
			}
		}
	}
	h, rows := sheet(t, f, "Positions")
	amountCell, _ := excelize.CoordinatesToCellName(colOf(t, h, "amount")+1, 2)
	style, err := f.GetCellStyle("Positions", amountCell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(style)
	if err != nil || st.CustomNumFmt == nil || !strings.Contains(*st.CustomNumFmt, "0.00") || !strings.Contains(*st.CustomNumFmt, "EUR") {
		t.Errorf("Positions amount %s: number format %v, want a EUR currency format (%v)", amountCell, st, err)
	}
	if _, err := strconv.ParseFloat(cell(rows[0], colOf(t, h, "amount")), 64); err != nil {
		t.Errorf("Positions amount is not a number: %v", err)
	}

	// Flows: every row is one hop of the run and names its transaction's file and line.
	h, rows = sheet(t, f, "Flows")
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM trace_flows WHERE run_id = ?`, run).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if len(rows) != n || n == 0 {
		t.Fatalf("Flows has %d rows, trace_flows %d", len(rows), n)
	}
	for i, r := range rows {
		var found int
		err := db.QueryRow(`SELECT count(*) FROM transactions t JOIN sources s USING (source_id)
			WHERE t.txn_id = ? AND s.file_name = ? AND t.source_record = ? AND s.sha256 = ? AND t.from_account = ? AND t.to_account = ?`,
			r[colOf(t, h, "txn_id")], r[colOf(t, h, "source_file")], r[colOf(t, h, "source_line")], r[colOf(t, h, "source_sha256")],
			r[colOf(t, h, "from_account")], r[colOf(t, h, "to_account")]).Scan(&found)
		if err != nil || found != 1 {
			t.Errorf("Flows row %d %v does not resolve to one transaction (%d, %v)", i+2, r, found, err)
		}
	}

	// Findings: evidence resolved to files and lines.
	h, rows = sheet(t, f, "Findings")
	if len(rows) != 2 {
		t.Fatalf("Findings: %d rows, want 2", len(rows))
	}
	if got := rows[1][colOf(t, h, "evidence_sources")]; got != "02-camt053-nlb-si.xml:1 02-camt053-nlb-si.xml:2" {
		t.Errorf("Findings evidence_sources = %q", got)
	}

	// Sources: the statement check opening + credits - debits = computed closing holds in the sheet.
	h, rows = sheet(t, f, "Sources")
	checked := 0
	for _, r := range rows {
		if cell(r, colOf(t, h, "credits")) == "" {
			continue
		}
		o, c, d, cl := dec(t, r[colOf(t, h, "opening")]), dec(t, r[colOf(t, h, "credits")]), dec(t, r[colOf(t, h, "debits")]), dec(t, r[colOf(t, h, "computed_closing")])
		if !o.Add(c).Sub(d).Equal(cl) {
			t.Errorf("Sources %v: %s + %s - %s != %s", r[1], o, c, d, cl)
		}
		checked++
	}
	if checked != 2 {
		t.Errorf("Sources: %d statements checked, want 2", checked)
	}
	if _, rows := sheet(t, f, "Method statement"); len(rows) < 10 {
		t.Errorf("Method statement has %d rows", len(rows))
	}
}

// TestTablesAndParquet checks that every table has a CSV and a Parquet file and that the
// Parquet amounts are exact decimals equal to the database's.
func TestTablesAndParquet(t *testing.T) {
	db := sampleCase(t)
	dir := write(t, db, "", report.Options{})
	for _, name := range []string{"summary", "totals", "sources", "findings", "flows", "positions", "party_positions", "exits",
		"sensitivity", "unexplained", "method_statement"} {
		for _, p := range []string{filepath.Join(report.CSVDir, name+".csv"), filepath.Join(report.ParquetDir, name+".parquet")} {
			if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
				t.Errorf("no %s", p)
			}
		}
	}
	var typ string
	got := queryDec(t, db, `SELECT sum(amount) FROM read_parquet(?)`, filepath.Join(dir, report.ParquetDir, "flows.parquet"))
	want := queryDec(t, db, `SELECT sum(amount) FROM trace_flows`)
	if !got.Equal(want) {
		t.Errorf("flows.parquet sum %s, database %s", got, want)
	}
	if err := db.QueryRow(`SELECT typeof(amount) FROM read_parquet(?) LIMIT 1`, filepath.Join(dir, report.ParquetDir, "flows.parquet")).Scan(&typ); err != nil || !strings.HasPrefix(typ, "DECIMAL") {
		t.Errorf("flows.parquet amount type %q (%v), want DECIMAL", typ, err)
	}
	man, err := os.ReadFile(filepath.Join(dir, report.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	db.QueryRow(`SELECT manifest_json FROM runs WHERE kind = 'trace'`).Scan(&stored)
	if string(man) != stored {
		t.Error("manifest.json differs from the run's stored manifest")
	}
	sums, err := os.ReadFile(filepath.Join(dir, report.ChecksumFile))
	if err != nil || !strings.Contains(string(sums), "  evidence.xlsx\n") {
		t.Errorf("SHA256SUMS: %v\n%s", err, sums)
	}
}

// TestGraphGolden compares graph.dot and graph.graphml with testdata (go test -update).
func TestGraphGolden(t *testing.T) {
	db := sampleCase(t)
	for _, c := range []struct {
		golden string
		opt    report.Options
	}{{"sample", report.Options{}}, {"sample-masked", report.Options{Mask: true}}} {
		dir := write(t, db, "", c.opt)
		for _, f := range []string{report.DOTFile, report.GraphMLFile} {
			got, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", c.golden+"."+f+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s", f, golden, got)
			}
		}
	}
}

// TestMask checks that a masked report shows no account number or name of the case, and
// that masking the same case twice gives the same files.
func TestMask(t *testing.T) {
	db := sampleCase(t)
	a := write(t, db, "", report.Options{Mask: true})
	b := write(t, db, "", report.Options{Mask: true})
	secrets := []string{"SI56263300012039086", "RS35260005601001611379", "Jovanović", "Transport Kovač", "Petrol d.d.",
		"stefan jovanovic", "usluge prevoza"}
	files := []string{report.HTMLFile, report.DOTFile, report.GraphMLFile, report.ManifestFile}
	for _, name := range []string{"flows", "positions", "party_positions", "exits", "findings", "summary", "method_statement", "sources", "sensitivity"} {
		files = append(files, filepath.Join(report.CSVDir, name+".csv"))
	}
	for _, f := range files {
		da, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		db, _ := os.ReadFile(filepath.Join(b, f))
		if !bytes.Equal(da, db) {
			t.Errorf("%s differs between two masked reports of the same case", f)
		}
		for _, s := range secrets {
			if bytes.Contains(da, []byte(s)) {
				t.Errorf("masked %s contains %q", f, s)
			}
		}
	}
	flows, _ := os.ReadFile(filepath.Join(a, report.CSVDir, "flows.csv"))
	for _, want := range []string{"SI****9086", "RS****1379", "S.J.", "T.K.D."} {
		if !bytes.Contains(flows, []byte(want)) {
			t.Errorf("masked flows.csv lacks %q", want)
		}
	}
}

var (
	dataNodes = regexp.MustCompile(`<svg class="flow" data-nodes="(\d+)" data-edges="\d+" data-accounts="(\d+)" data-grouped="(\d+)"`)
	external  = regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|<script[^>]+src=|<link[^>]+href=|@import|url\((?:'|")?[a-z]+:`)
)

// htmlNodes returns the diagram's declared node count, the number of node groups drawn, the
// accounts before grouping and the grouped accounts.
func htmlNodes(t *testing.T, page []byte) (declared, drawn, accounts, grouped int) {
	t.Helper()
	m := dataNodes.FindSubmatch(page)
	if m == nil {
		t.Fatal("report.html has no flow diagram with data-nodes")
	}
	declared, _ = strconv.Atoi(string(m[1]))
	accounts, _ = strconv.Atoi(string(m[2]))
	grouped, _ = strconv.Atoi(string(m[3]))
	return declared, bytes.Count(page, []byte(`<g class="node"`)), accounts, grouped
}

// runAccounts counts the accounts that tainted money of the run's method touched.
func runAccounts(t *testing.T, db *casedb.DB, method string) int {
	t.Helper()
	var n int
	err := db.QueryRow(`SELECT count(DISTINCT a) FROM (SELECT from_account AS a, origin FROM trace_flows WHERE method = ?
		UNION ALL SELECT to_account, origin FROM trace_flows WHERE method = ?) WHERE origin <> 'clean' AND origin NOT LIKE 'unexplained%'`,
		method, method).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHTML checks that the page is self-contained and that its diagram has the run's nodes.
func TestHTML(t *testing.T) {
	db := sampleCase(t)
	dir := write(t, db, "", report.Options{})
	page, err := os.ReadFile(filepath.Join(dir, report.HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	if m := external.Find(page); m != nil {
		t.Errorf("report.html refers to an external resource: %s", m)
	}
	declared, drawn, accounts, grouped := htmlNodes(t, page)
	if want := runAccounts(t, db, "fifo"); declared != want || drawn != want || accounts != want || grouped != 0 {
		t.Errorf("diagram: data-nodes %d, %d node groups, %d accounts, %d grouped; the run has %d accounts", declared, drawn, accounts, grouped, want)
	}
	for _, want := range []string{`class="timeline"`, `<table class="sortable">`, "Method statement", seedTxn, "02-camt053-nlb-si.xml"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// fanOutLedger writes a ledger where one seed credit is spread over n accounts that each
// withdraw part of it in cash: a network of 2n+2 accounts.
func fanOutLedger(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("txn_id,booked_at,from_account,to_account,amount,currency\n")
	b.WriteString("S1,2024-01-01,external:boss,acct:bank:HUB,1000000.00,EUR\n")
	for i := range n {
		fmt.Fprintf(&b, "H%03d,2024-01-%02d,acct:bank:HUB,acct:bank:M%03d,%d.%02d,EUR\n", i, 2+i%20, i, 1000+i*37, i)
		fmt.Fprintf(&b, "W%03d,2024-02-%02d,acct:bank:M%03d,cash:atm-%03d,%d.00,EUR\n", i, 1+i%25, i, i, 500+i*11)
	}
	p := filepath.Join(t.TempDir(), "fan-out.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDiagramGroups checks that a network of more than MaxNodes accounts is drawn with the
// smallest grouped, and that nodes drawn, declared and accounted for agree with the run.
func TestDiagramGroups(t *testing.T) {
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := ingest.File(ctx, db, fanOutLedger(t, 60), ingest.Options{Format: "ledger", Now: declared}); err != nil {
		t.Fatal(err)
	}
	if _, err := trace(db, "fifo", "txn:S1"); err != nil {
		t.Fatal(err)
	}
	dir := write(t, db, "", report.Options{MaxNodes: 20})
	page, err := os.ReadFile(filepath.Join(dir, report.HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	declaredN, drawn, accounts, grouped := htmlNodes(t, page)
	want := runAccounts(t, db, "fifo")
	if want != 122 || accounts != want {
		t.Errorf("diagram accounts %d, run %d, want 122", accounts, want)
	}
	others := bytes.Count(page, []byte(`data-kind="other"`))
	if declaredN != drawn || declaredN > 20 || others == 0 || accounts-grouped+others != declaredN {
		t.Errorf("diagram: data-nodes %d, %d drawn, %d other nodes, %d accounts, %d grouped (max 20)", declaredN, drawn, others, accounts, grouped)
	}
}

// TestNoRun checks the error for a case without runs and for an unknown run id.
func TestNoRun(t *testing.T) {
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range []string{"", "trace-000000000000"} {
		err := report.Write(ctx, db, id, t.TempDir(), report.Options{})
		if !errors.Is(err, report.ErrNoRun) || !errors.Is(err, casedb.ErrInput) {
			t.Errorf("Write(%q) = %v, want ErrNoRun", id, err)
		}
	}
}

// TestChromium opens the report in headless Chromium (when installed): the DOM has the
// diagram, the screenshot is not blank and the console shows no uncaught error.
func TestChromium(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no " + chromium + " (apt-get install chromium)")
	}
	if testing.Short() {
		t.Skip("headless Chromium takes seconds")
	}
	db := sampleCase(t)
	dir := write(t, db, "", report.Options{})
	page := "file://" + filepath.Join(dir, report.HTMLFile)
	browse := func(args ...string) (stdout, stderr []byte) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
			"--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
		cmd := exec.CommandContext(ctx, chromium, append(append(base, args...), page)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, errb.Bytes())
		}
		return out.Bytes(), errb.Bytes()
	}
	dom, logs := browse("--dump-dom")
	if bytes.Contains(logs, []byte("Uncaught")) {
		t.Errorf("console error:\n%s", logs)
	}
	declaredN, drawn, _, _ := htmlNodes(t, dom)
	if want := runAccounts(t, db, "fifo"); declaredN != want || drawn != want {
		t.Errorf("rendered diagram: data-nodes %d, %d node groups, run %d", declaredN, drawn, want)
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	browse("--window-size=1280,1600", "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if n := colours(img); n < 50 {
		t.Errorf("screenshot has %d distinct colours: blank?", n)
	}
}

func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

// A report of a rules run alone has no trace and no methods: its trace tables are empty, and
// the method order of their queries must still be valid SQL (it was CASE method ELSE 99 END).
func TestRulesRunAlone(t *testing.T) {
	dir := write(t, sampleCase(t), "rules-test", report.Options{})
	if _, err := os.Stat(filepath.Join(dir, "evidence.xlsx")); err != nil {
		t.Fatal(err)
	}
}
