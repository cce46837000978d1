package casetrace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moneytrail/moneytrail/fixtures"
	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

// pagedCase ingests three random ledgers into a new case. Each file brings accounts whose ids
// sort before those of the files before it, so account numbers (ingest order) and engine
// indexes (id order) differ.
func pagedCase(t *testing.T) *casedb.DB {
	t.Helper()
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rng := rand.New(rand.NewPCG(7, 11))
	for f, prefix := range []string{"q", "k", "b"} {
		var b strings.Builder
		b.WriteString("txn_id,booked_at,from_account,to_account,amount,currency\n")
		names := []string{prefix + "1", prefix + "2", prefix + "3", "q1", "k2", "cash:atm", "external:shop"}
		for i := range 120 {
			from, to := names[rng.IntN(len(names))], names[rng.IntN(len(names))]
			// Several transactions share each timestamp; the files interleave in time.
			fmt.Fprintf(&b, "F%d-%03d,2024-03-%02dT%02d:00:00,%s,%s,%d.%02d,EUR\n", f, i, 1+i/20, (i/3)%24, from, to, 1+rng.IntN(900), rng.IntN(100))
		}
		path := filepath.Join(t.TempDir(), fmt.Sprintf("f%d.csv", f))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.File(ctx, db, path, ingest.Options{Format: "ledger", Now: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// files returns every file a trace writes, by name.
func files(t *testing.T, out *Outcome) map[string]string {
	t.Helper()
	dir := t.TempDir()
	if err := out.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(b)
	}
	return got
}

// first is a seed selector: the first credit into account from another account in the file
// whose txn ids start with file.
func first(account, file string) string {
	return "sql:SELECT min(txn_id) AS txn_id FROM txns WHERE to_account = '" + account + "' AND from_account <> to_account AND txn_id LIKE '" + file + "-%'"
}

// TestPagedStream: a trace read in many small pages, with its columns spooled to disk in
// small chunks, writes the same files as one read held in memory, forward (both scopes) and
// backward, and every page but the last holds whole timestamps.
func TestPagedStream(t *testing.T) {
	db := pagedCase(t)
	ms, err := tracer.ParseMethods("all")
	if err != nil {
		t.Fatal(err)
	}
	opts := []Options{
		{Seeds: []string{first("q2", "F0"), first("k1", "F1"), "account:b2@2024-03-04..2024-03-05"}},
		{Seeds: []string{first("q3", "F0"), first("b1", "F2")}, Scope: ScopeAll, Flows: tracer.FlowsAll},
		{Seeds: []string{first("k3", "F1")}, AsOf: "2024-03-04"},
		{Direction: Backward, Target: "account:q1"},
		{Direction: Backward, Target: "account:k2", OriginBy: OriginByParty},
	}
	traceFiles := func(o Options) (map[string]string, int64) {
		o.Methods, o.ToolVersion, o.StartedAt = ms, "test", time.Unix(0, 0)
		step, ends := "", map[string][2]int64{} // per step: the last count reported
		o.Progress = func(s string) { step = s }
		o.Count = func(done, n int64) {
			if e := ends[step]; done < e[0] || done > n {
				t.Errorf("%s: progress %d of %d after %d", step, done, n, e[0])
			}
			ends[step] = [2]int64{done, n}
		}
		out, err := Trace(context.Background(), db, o)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		e := ends["replaying transactions"]
		if e[0] != e[1] || e[1] == 0 {
			t.Errorf("%+v: replay progress ended at %d of %d", o, e[0], e[1])
		}
		total := e[1]
		return files(t, out), total
	}
	for _, o := range opts {
		whole, total := traceFiles(o)
		pr, ch, pc, pd := pageRows, spoolChunk, pipeChunk, pipeDepth
		pageRows, spoolChunk, pipeChunk, pipeDepth = 17, 5, 3, 1
		paged, pagedTotal := traceFiles(o)
		pageRows, spoolChunk, pipeChunk, pipeDepth = pr, ch, pc, pd
		if !reflect.DeepEqual(whole, paged) || len(whole) < 2 || total != pagedTotal {
			t.Errorf("%+v: paged trace differs (%d files, %d and %d rows)", o, len(whole), total, pagedTotal)
			for name := range whole {
				if whole[name] != paged[name] {
					t.Logf("%s:\n%s\npaged:\n%s", name, whole[name], paged[name])
				}
			}
		}
	}

	// The pages themselves: more than one, consecutive, covering every row once.
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pr := pageRows
	pageRows = 17
	defer func() { pageRows = pr }()
	r := &run{ctx: ctx, conn: conn, opt: &Options{}, out: &Outcome{}}
	ps, err := r.pages()
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for i, p := range ps {
		rows += p.rows
		if p.openLo != (i == 0) || p.openHi != (i == len(ps)-1) || (i > 0 && p.lo != ps[i-1].hi) {
			t.Errorf("page %d: %+v after %+v", i, p, ps[max(i-1, 0)])
		}
	}
	if len(ps) < 10 || rows != 360 {
		t.Errorf("%d pages of %d rows in all, want more than 10 pages of 360 rows", len(ps), rows)
	}
}

// numberedBatch returns a batch of size transactions numbered on from *n (which it advances),
// every column distinct and beyond 32 bits where it can be, with inflow labels n%3 when
// labels is set, and the same transactions in row form.
func numberedBatch(n *int, size int, labels bool) (tracer.Batch, []tracer.Txn) {
	var b tracer.Batch
	var txns []tracer.Txn
	for range size {
		*n++
		k := *n
		tx := tracer.Txn{Txn: int64(k) << 33, From: int32(k), To: -int32(k), Cents: int64(k) * 1_000_003, At: -int64(k) << 40}
		txns = append(txns, tx)
		b.Txn, b.From, b.To = append(b.Txn, tx.Txn), append(b.From, tx.From), append(b.To, tx.To)
		b.Cents, b.At = append(b.Cents, tx.Cents), append(b.At, tx.At)
		if labels {
			b.Label = append(b.Label, int32(k%3))
		}
	}
	return b, txns
}

// TestSpool: batches of any size come back in order, through the file once a chunk fills,
// and the file is gone after close.
func TestSpool(t *testing.T) {
	s := &spool{chunk: 4}
	var want []tracer.Txn
	n := 0
	for size := range 7 {
		b, txns := numberedBatch(&n, size, false)
		want = append(want, txns...)
		if err := s.add(&b); err != nil {
			t.Fatal(err)
		}
	}
	if s.files != 5 || s.rows != 21 || s.f == nil {
		t.Fatalf("spool of 21 rows in chunks of 4: %d chunks in the file, %d rows", s.files, s.rows)
	}
	for range 2 {
		var got []tracer.Txn
		err := s.each(func(b *tracer.Batch) error {
			for i := range b.Txn {
				got = append(got, tracer.Txn{Txn: b.Txn[i], From: b.From[i], To: b.To[i], Cents: b.Cents[i], At: b.At[i]})
			}
			return nil
		})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("spool gave %v (%v), want %v", got, err, want)
		}
	}
	name := s.f.Name()
	s.close()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("spool file %s left behind (%v)", name, err)
	}
}

// TestStoredNumbers: whatever the way in (ledger, FX rates applied later, the AMLworld fast
// path), every account has its own number, every transaction the numbers of its two accounts,
// and base_micros is base_amount in millionths exactly, NULL where base_amount is.
func TestStoredNumbers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := casedb.Open(ctx, filepath.Join(dir, "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var aml bytes.Buffer
	if err := fixtures.WriteAMLWorld(&aml, fixtures.AMLWorldOptions{Rows: 500, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	inputs := []struct{ name, format, data string }{
		{"l1.csv", "ledger", "txn_id,booked_at,from_account,to_account,amount,currency\n" +
			"A1,2024-03-01,external:x,zz-1,100.005,EUR\n" +
			"A2,2024-03-04,zz-1,mm-2,50.00,USD\n" +
			"A3,2024-03-05,mm-2,cash:atm,1234,JPY\n"},
		{"rates.csv", "ecb-rates", "Date,USD,JPY,\n2024-03-05,1.0857,162.9,\n2024-03-04,1.0844,162.92,\n"},
		{"l2.csv", "ledger", "txn_id,booked_at,from_account,to_account,amount,currency\n" +
			"B1,2024-03-05,aa-0,zz-1,7.10,USD\n" +
			"B2,2024-03-06,mm-2,aa-0,0.000001,EUR\n"},
		{"aml.csv", "amlworld", aml.String()},
	}
	for _, in := range inputs {
		path := filepath.Join(dir, in.name)
		if err := os.WriteFile(path, []byte(in.data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.File(ctx, db, path, ingest.Options{Format: in.format, Now: time.Unix(0, 0)}); err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
	}
	var accounts, numbered, maxNo, txns, matched, fx, micros int64
	if err := db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT account_no), max(account_no) FROM accounts`).Scan(&accounts, &numbered, &maxNo); err != nil {
		t.Fatal(err)
	}
	if numbered != accounts || maxNo != accounts || accounts < 20 {
		t.Errorf("%d accounts, %d distinct numbers, largest %d", accounts, numbered, maxNo)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*),
			count(*) FILTER (WHERE f.account_id = t.from_account AND a.account_id = t.to_account),
			count(*) FILTER (WHERE t.currency <> 'EUR' AND t.base_amount IS NOT NULL),
			count(*) FILTER (WHERE t.base_micros IS NOT DISTINCT FROM CAST(t.base_amount * 1000000 AS BIGINT))
		FROM transactions t LEFT JOIN accounts f ON f.account_no = t.from_no LEFT JOIN accounts a ON a.account_no = t.to_no`).
		Scan(&txns, &matched, &fx, &micros); err != nil {
		t.Fatal(err)
	}
	if matched != txns || micros != txns || fx < 3 || txns < 500 {
		t.Errorf("%d transactions: %d with their accounts' numbers, %d with exact micro-units, %d converted by FX", txns, matched, micros, fx)
	}
	var a1, b2 int64
	if err := db.QueryRowContext(ctx, `SELECT max(base_micros) FILTER (WHERE txn_id = 'A1'), max(base_micros) FILTER (WHERE txn_id = 'B2') FROM transactions`).Scan(&a1, &b2); err != nil {
		t.Fatal(err)
	}
	if a1 != 100_005_000 || b2 != 1 {
		t.Errorf("base_micros of A1 %d (want 100005000), of B2 %d (want 1)", a1, b2)
	}
}

// TestPipeline: batches of any size reach the replay in order, labels included, in chunks;
// a failing replay stops the reader and close returns its error; abandon skips the rest.
func TestPipeline(t *testing.T) {
	pc, pd := pipeChunk, pipeDepth
	pipeChunk, pipeDepth = 4, 1
	defer func() { pipeChunk, pipeDepth = pc, pd }()
	var want, got []tracer.Txn
	var wantLabels, gotLabels []int32
	p := startPipeline(func(b *tracer.Batch) error {
		if b.Len() > 4 || len(b.Label) != b.Len() || len(b.At) != b.Len() {
			return fmt.Errorf("chunk of %d rows, %d labels, %d times", b.Len(), len(b.Label), len(b.At))
		}
		for i := range b.Len() {
			got = append(got, tracer.Txn{Txn: b.Txn[i], From: b.From[i], To: b.To[i], Cents: b.Cents[i], At: b.At[i]})
		}
		gotLabels = append(gotLabels, b.Label...)
		return nil
	})
	n := 0
	for size := range 9 {
		b, txns := numberedBatch(&n, size, true)
		want, wantLabels = append(want, txns...), append(wantLabels, b.Label...)
		if err := p.add(&b); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotLabels, wantLabels) || n != 36 {
		t.Errorf("replayed %d rows %v labels %v, want %d %v %v", len(got), got, gotLabels, n, want, wantLabels)
	}

	boom := errors.New("boom")
	calls := 0
	p = startPipeline(func(b *tracer.Batch) error {
		calls++
		if calls == 2 {
			return boom
		}
		return nil
	})
	var b tracer.Batch
	for i := range 1000 {
		b.Txn, b.From, b.To, b.Cents, b.At = []int64{int64(i)}, []int32{1}, []int32{2}, []int64{1}, []int64{int64(i)}
		if err := p.add(&b); err != nil {
			if !errors.Is(err, errPipeStopped) {
				t.Fatal(err)
			}
			break
		}
	}
	if err := p.close(); !errors.Is(err, boom) || calls != 2 {
		t.Errorf("close after a failed chunk: %v after %d calls, want boom after 2", err, calls)
	}

	p = startPipeline(func(*tracer.Batch) error { return nil })
	for i := range 100 {
		b.Txn, b.From, b.To, b.Cents, b.At = []int64{int64(i)}, []int32{1}, []int32{2}, []int64{1}, []int64{int64(i)}
		if err := p.add(&b); err != nil {
			t.Fatal(err)
		}
	}
	p.abandon()
	if err := p.add(&b); !errors.Is(err, errPipeStopped) {
		t.Errorf("add after abandon: %v", err)
	}
	p.abandon()
}

// TestPipelineEnding: every row arrives, in order, through a pipeline shorter than the
// input, and ending runs once.
func TestPipelineEnding(t *testing.T) {
	pc, pd := pipeChunk, pipeDepth
	pipeChunk, pipeDepth = 4, 1
	defer func() { pipeChunk, pipeDepth = pc, pd }()
	var got []int64
	ended := 0
	p := startStages(stages{
		second: func(c *pipeBuf) error {
			got = append(got, c.b.Txn...)
			return nil
		},
		ending: func() { ended++ },
	})
	n := 0
	var want []int64
	for size := range 9 {
		b, txns := numberedBatch(&n, size, false)
		for _, x := range txns {
			want = append(want, x.Txn)
		}
		if err := p.add(&b); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	if ended != 1 || !reflect.DeepEqual(got, want) {
		t.Errorf("ending ran %d times (want 1); replayed %v, want %v", ended, got, want)
	}
}

// TestSpeculation: a reachable-scope trace writes the same files whether the speculative
// replay ran beside the read or not: when the scope turns out to hold every account (its
// outcome is kept), when it does not (the pages are read again), and when the speculation
// stops half-way (the pages before the spool are read again, then the spool is replayed).
// The case is read in pages of 17 rows.
func TestSpeculation(t *testing.T) {
	db := pagedCase(t)
	ms, err := tracer.ParseMethods("all")
	if err != nil {
		t.Fatal(err)
	}
	pr, ch, pc, pd := pageRows, spoolChunk, pipeChunk, pipeDepth
	pageRows, spoolChunk, pipeChunk, pipeDepth = 17, 5, 3, 1
	defer func() { pageRows, spoolChunk, pipeChunk, pipeDepth = pr, ch, pc, pd }()
	opts := []Options{
		{Seeds: []string{first("q2", "F0"), first("k1", "F1"), first("b3", "F2")}, Flows: tracer.FlowsAll},
		{Seeds: []string{first("q3", "F0")}, GroupUnexplained: true},
		{Seeds: []string{first("k3", "F1")}, AsOf: "2024-03-04"},
		{Seeds: []string{"account:b2@2024-03-06..2024-03-06"}},
		{Seeds: []string{"account:k1@2024-03-05..2024-03-06"}},
	}
	seen := map[string]int{}
	for _, o := range opts {
		o.Methods, o.ToolVersion, o.StartedAt = ms, "test", time.Unix(0, 0)
		run := func(on, stop bool) (map[string]string, *Outcome) {
			was, wasStop := speculate, stopHalfWay
			speculate, stopHalfWay = on, stop
			defer func() { speculate, stopHalfWay = was, wasStop }()
			out, err := Trace(context.Background(), db, o)
			if err != nil {
				t.Fatalf("%+v: %v", o, err)
			}
			return files(t, out), out
		}
		plain, pout := run(false, true)
		if pout.speculated || pout.spoolFrom != 0 {
			t.Errorf("%+v: switched off, speculation kept %v, spool from page %d", o.Seeds, pout.speculated, pout.spoolFrom)
		}
		for _, stop := range []bool{true, false} {
			spec, sout := run(true, stop)
			switch {
			case sout.speculated:
				seen["kept"]++
			case sout.spoolFrom > 0 && sout.spoolFrom < sout.pages:
				seen["stopped half-way"]++
			case sout.spoolFrom == sout.pages:
				seen["dropped at the end"]++
			}
			t.Logf("%v (stop half-way %v): kept %v, spool from page %d of %d", o.Seeds, stop, sout.speculated, sout.spoolFrom, sout.pages)
			if !reflect.DeepEqual(plain, spec) || len(plain) < 2 {
				t.Errorf("%+v: speculative trace differs (%d files)", o.Seeds, len(plain))
				for name := range plain {
					if plain[name] != spec[name] {
						t.Logf("%s:\n%s\nspeculative:\n%s", name, plain[name], spec[name])
					}
				}
			}
		}
	}
	if len(seen) != 3 {
		t.Errorf("speculation %v: the test must see it kept, dropped at the end and stopped half-way", seen)
	}
}

// TestTraceSealed: on a sealed case (read-only, no file system, configuration locked, as
// rules and verify run) a trace gives the same files as on the writable case, its sql: seeds
// run as a user's queries.
func TestTraceSealed(t *testing.T) {
	db := pagedCase(t)
	o := Options{Seeds: []string{first("q2", "F0"), first("k1", "F1")}, Methods: []tracer.Method{tracer.FIFO, tracer.LIBR},
		ToolVersion: "test", StartedAt: time.Unix(0, 0)}
	open, err := Trace(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db.Close()
	sealed, err := casedb.Open(ctx, db.Path, casedb.Options{Sealed: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer sealed.Close()
	locked, err := Trace(ctx, sealed, o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(files(t, open), files(t, locked)) {
		t.Error("the trace on the sealed case differs")
	}
}

// startPipeline starts a pipeline of one stage: apply is called on the pipeline's goroutine
// with every chunk in order until it returns an error.
func startPipeline(apply func(*tracer.Batch) error) *pipeline {
	return startStages(stages{second: func(c *pipeBuf) error { return apply(&c.b) }})
}
