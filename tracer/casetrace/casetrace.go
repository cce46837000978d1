// Package casetrace runs the tracer over a case database: it resolves seed selectors, works out
// the traced scope, streams the transactions from DuckDB in replay order and keeps the results,
// which it stores under a reproducible run id and writes as CSV files.
//
// # Decisions
//
//   - Replay: every transaction without duplicate_of and not pending, in (booked_at, seq)
//     order, except where matched transfers tie statements together: then in a topological
//     order of every statement's booking order (order.go; the manifest's same_day_order says
//     how many events moved and which statement orders contradicted each other). Keyed by
//     its rowid; account ids become dense indexes in account-id order. The
//     stream reads only integers: the account numbers stored at ingest (from_no, to_no,
//     mapped to indexes through a table in Go) and base_micros, never the text ids or the
//     128-bit base_amount, which cost about 15 times the time of the read on 5M rows.
//   - Amounts: integer cents of base_amount, rounded half away from zero in Go from the exact
//     micro-units stored beside it (base_micros); a transaction that rounds to 0 cents is left
//     out, and the number of replayed sub-cent amounts is in the manifest (counted in the same
//     pass, as DECIMAL arithmetic over a whole case costs seconds). When transactions in scope
//     lack a base amount (no FX rate) the trace runs in their own currency if they all share
//     one (and no account has an opening balance), and fails otherwise, naming the first of
//     them.
//   - Memory: DuckDB materialises an ordered result before Go sees a row, so the stream is
//     read in pages of about a million rows (time ranges cut from a count per time bucket),
//     and what DuckDB holds does not grow with the case. The reachable scope is computed
//     during the one read of the case, whose columns wait for the replay in a spool: full
//     chunks of 64Ki rows go to a temporary file, so the trace holds one chunk, the engine's
//     lots and per-account state, whatever the number of transactions.
//   - Scope "reachable": one ordered pass over the account columns from the first seed on
//     marks the accounts the seeds' money can reach; every transaction touching one of them is
//     replayed; other accounts are exits that pay clean money. --scope all streams the case
//     straight into the replay. Exits (cash, external, asset)
//     never propagate.
//   - Two cores: the replay runs in a goroutine of its own, fed chunks of copies while the
//     next rows are read (pipeline). Under scope "reachable" the scope is only known after
//     the read, so every account is replayed speculatively during it; when the scope turns
//     out to hold every account, that replay is the scoped one transaction for transaction and
//     is kept, otherwise it is dropped (early when, half-way through the read, fewer than a
//     quarter of the accounts are reached) and the spool is replayed. The seeds' queries and
//     the amounts' check run on a second connection while the accounts are read; of those
//     the replay reads only numbers (rank in id order, exit mark, opening balance), and their
//     ids, kinds and parties follow on the second connection during the read. Several
//     methods replay each batch side by side (see tracer.Engine.Apply). For seed origins this gives the positions of scope "all" exactly under
//     fifo, lifo, libr, tainted-first and poison; under prorata, money from outside the scope
//     is one clean origin instead of clean and per-account unexplained origins, so the
//     largest-remainder split can place a cent differently.
//   - Seeds: account: and party: select credits from outside (not self-transfers, not transfers
//     among the party's accounts); a seed must credit an account that is not an exit. Ids
//     named by txn:, sql: or finding: are looked up by txn_id, a scan of every id in the case,
//     unless they have the form ingest derives (file hash prefix:record): then their files'
//     records narrow the scan first, and for a file whose ids are all derived
//     (sources.ids_derived) they alone select the seeds, without reading a txn_id. Whatever is
//     not found that way is looked up by txn_id.
//   - Poison beside other methods with more than PoisonPerSeedMax seeds replays all seeds as
//     one origin, "seeds" (manifest poison_grouped); its per-seed sensitivity cells are empty
//     (NULL in trace_sensitivity) and its "seeds" rows stand beside the other methods' totals
//     of all seeds. Alone, poison stays per seed.
//   - Backward (Direction Backward, Target account:ID or txn:ID): the universe is every
//     account from which money can reach the target in time, found by one pass in reverse
//     replay order from the target (or the end of as-of) that marks the payer of every
//     transaction into a marked account; exits are never marked. Every payment into the
//     universe from outside it is money of an origin named by the paying account
//     ("account:ID"), its party ("party:ID", the account when it has none) or the
//     transaction's channel ("channel:cash_deposit"); opening balances are "opening",
//     shortfalls "unexplained:ACCOUNT". The universe is replayed forward under the methods,
//     and the target's balance (Engine.Holdings) or the debit's parts (Config.Capture) are
//     its composition, checked to sum to the target under every conserving method. A
//     balance is stored as trace_positions rows of the target, a debit as trace_flows rows of
//     the transaction; --out writes composition.csv (method, origin, amount, share).
//   - Outputs: rows sorted by method order, then holder (positions) or replay order (flows),
//     then origin label; the run id is "trace-" and 12 hex digits of the manifest's SHA-256;
//     started_at is the only stored value that depends on when the trace ran.
//
// The stream comes through DuckDB's Arrow interface when built with -tags duckdb_arrow, and
// through database/sql scanning otherwise (StreamPath says which).
package casetrace

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

// ErrInput reports a trace that cannot run on its input: an unknown or invalid seed, an empty
// scope, a bad date, amounts without a base-currency value. It wraps casedb.ErrInput, so the
// CLI exits with the input-error code; nothing is stored.
var ErrInput = fmt.Errorf("%w: trace", casedb.ErrInput)

// Scopes.
const (
	// ScopeReachable replays only the accounts the seeds' money can reach forward in time
	// (and every transaction touching them); other accounts are exits.
	ScopeReachable = "reachable"
	// ScopeAll replays every transaction of the case.
	ScopeAll = "all"
)

// Options describe one trace.
type Options struct {
	// Seeds are selectors as given on the command line: txn:ID, account:ID, party:ID,
	// finding:RULE_ID or sql:SELECT txn_id ..., each optionally followed by @FROM..TO.
	// A sql: selector's query runs on a sealed case (casedb.Options{Sealed: true}): Trace
	// runs it when db is sealed, else takes its ids from SQLSeeds.
	Seeds []string
	// SQLSeeds are the ids of the sql: selectors' queries, by query (ResolveSQLSeeds).
	SQLSeeds map[string][]string
	// Methods are replayed side by side in one pass.
	Methods []tracer.Method
	// Scope is ScopeReachable (the default when empty) or ScopeAll.
	Scope string
	// AsOf is a date (YYYY-MM-DD): positions as they stood at the end of that day. Empty means
	// after the last transaction.
	AsOf string
	// GroupSeeds folds every seed into one tainted origin ("seeds"), which keeps proportional
	// methods cheap when per-seed detail is not needed; per-seed traced amounts are still
	// reported.
	GroupSeeds bool
	// GroupUnexplained gives all unexplained funds one origin ("unexplained") instead of one
	// per account; per-account unexplained totals are reported either way.
	GroupUnexplained bool
	// Flows chooses which hop-by-hop flows are kept (tracer.FlowsTainted by default).
	Flows tracer.FlowMode
	// ToolVersion goes into the manifest.
	ToolVersion string
	// StartedAt is the declared start of the run, stored in runs.started_at only: it is not
	// part of the manifest, the run id or any output file.
	StartedAt time.Time
	// Progress, when set, is told the name of each step as it starts.
	Progress func(step string)
	// Count, when set, is told during the steps that read or replay the transactions how many
	// of them are done and how many there are (rows read or replayed of the total). It is
	// called from the goroutine running Trace, often: keep it cheap.
	Count func(done, total int64)
	// Direction is Forward (the default when empty) or Backward.
	Direction string
	// Target is what a backward trace decomposes: account:ID (its balance at the end of the
	// replay, or of AsOf) or txn:ID (a debit, as it left its payer).
	Target string
	// OriginBy names the origins of a backward trace: OriginByAccount (the default when
	// empty), OriginByParty or OriginByChannel.
	OriginBy string
	// db is the case Trace was given: sql: selectors run on it when it is sealed.
	db *casedb.DB
}

// Outcome is a finished trace: the engine's report with everything needed to name its
// accounts, transactions and origins, and the manifest that identifies the run.
type Outcome struct {
	// RunID is "trace-" and the first 12 hex digits of the manifest's SHA-256.
	RunID string
	// Manifest describes the run; its JSON encoding is stored in runs.manifest_json.
	Manifest Manifest
	// Report is the engine's report.
	Report *tracer.Report
	// StartedAt is Options.StartedAt.
	StartedAt time.Time

	accounts []account
	names    *accountNames
	txnIDs   map[int64]string
	// sens is the report's sensitivity table once worked out (see sensitivity).
	sens    *tracer.Sensitivity
	seeds   []resolvedSeed
	asOfEnd *int64
	back    *backward
	// speculated tells tests that the speculative replay's outcome was kept, and spoolFrom
	// from which page the spool held the rows otherwise.
	speculated bool
	spoolFrom  int
	pages      int
	// seedsNarrowed tells tests how many selectors found their ids through derivedFilter.
	seedsNarrowed int
	// booked holds the booking time of each event the same-day order replayed at a later
	// time, by rowid (see bookedAt).
	booked map[int64]int64
}

// Trace resolves opt's seeds in db, replays the scope under opt.Methods and returns the
// outcome; nothing is stored (see Outcome.Store and Outcome.WriteDir). Errors about the
// input wrap ErrInput.
func Trace(ctx context.Context, db *casedb.DB, opt Options) (*Outcome, error) {
	opt.db = db
	if err := opt.settle(); err != nil {
		return nil, err
	}
	out := &Outcome{StartedAt: opt.StartedAt}
	if opt.AsOf != "" {
		end, err := dayEnd(opt.AsOf)
		if err != nil {
			return nil, fmt.Errorf("%w: --as-of: %w", ErrInput, err)
		}
		out.asOfEnd = &end
	}
	// Temporary tables live on one connection: the whole trace runs on it.
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	t := &run{ctx: ctx, conn: conn, opt: &opt, out: out}
	defer t.dropTemp()

	t.step("reading accounts")
	var prep preparation
	release, err := t.readAccounts(db, &prep)
	defer release()
	if err != nil {
		return nil, err
	}
	if opt.Direction == Backward {
		return t.traceBackward(t.step)
	}
	t.step("resolving seeds")
	if err := t.resolveSeeds(&prep); err != nil {
		return nil, err
	}
	rd, err := t.readTransactions()
	defer rd.close()
	if err != nil {
		return nil, err
	}
	t.step("computing the scope")
	if err := t.computeScope(rd.read); err != nil {
		return nil, err
	}
	if err := t.checkOpenings(); err != nil {
		return nil, err
	}
	if err := t.checkAmounts(); err != nil {
		return nil, err
	}
	t.step("replaying transactions")
	if err := t.replayScope(rd); err != nil {
		return nil, err
	}
	t.step("naming transactions")
	if err := t.finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// settle fills in the defaults of direction, origin-by and scope and rejects options that
// contradict each other, before Trace opens a connection: a wrong option costs nothing.
func (opt *Options) settle() error {
	switch opt.Direction {
	case "":
		opt.Direction = Forward
	case Forward, Backward:
	default:
		return fmt.Errorf("%w: direction %q: use %s or %s", ErrInput, opt.Direction, Forward, Backward)
	}
	back := opt.Direction == Backward
	switch {
	case back && len(opt.Seeds) > 0:
		return fmt.Errorf("%w: a backward trace takes a target, not seeds", ErrInput)
	case back && opt.Target == "":
		return fmt.Errorf("%w: no target: name account:ID or txn:ID with --target", ErrInput)
	case !back && opt.Target != "":
		return fmt.Errorf("%w: a forward trace takes seeds, not a target (use --direction backward)", ErrInput)
	case !back && len(opt.Seeds) == 0:
		return fmt.Errorf("%w: no seed: name at least one with --seed", ErrInput)
	}
	if back {
		switch opt.OriginBy {
		case "":
			opt.OriginBy = OriginByAccount
		case OriginByAccount, OriginByParty, OriginByChannel:
		default:
			return fmt.Errorf("%w: origin-by %q: use %s, %s or %s", ErrInput, opt.OriginBy, OriginByAccount, OriginByParty, OriginByChannel)
		}
	} else if opt.OriginBy != "" {
		return fmt.Errorf("%w: origin-by applies to backward traces only", ErrInput)
	}
	if len(opt.Methods) == 0 {
		return fmt.Errorf("%w: no method", ErrInput)
	}
	switch opt.Scope {
	case "":
		opt.Scope = ScopeReachable
	case ScopeReachable, ScopeAll:
	default:
		return fmt.Errorf("%w: scope %q: use %s or %s", ErrInput, opt.Scope, ScopeReachable, ScopeAll)
	}
	return nil
}

// step tells Options.Progress, when set, that the step named s starts.
func (t *run) step(s string) {
	if t.opt.Progress != nil {
		t.opt.Progress(s)
	}
}

// preparation is what prepareSeeds leaves for resolveSeeds: the seeds' candidates, or the
// error that stopped the preparation (reported only once the seeds are resolved, so that an
// error in the accounts' read comes first).
type preparation struct {
	cands [][]seedCandidate
	err   error
}

// prepareSeeds runs on st the queries that need no account index: the seeds' candidates, the
// count of amounts without a base value, the pages of the stream and the sources' ranges, and
// hands what the replay needs of them to t. st is t itself when there is one connection.
func (t *run) prepareSeeds(st *run, p *preparation) {
	if p.cands, p.err = st.seedCandidates(); p.err != nil {
		return
	}
	if p.err = st.countAmounts(); p.err != nil {
		return
	}
	if p.err = st.computeOrder(); p.err != nil {
		return
	}
	if _, p.err = st.pages(); p.err != nil {
		return
	}
	p.err = st.loadSourceRanges()
	t.nulls, t.pageList, t.sources, t.sourcesRead, t.narrowed = st.nulls, st.pageList, st.sources, true, st.narrowed
	t.order = st.order
}

// readAccounts loads the accounts on the trace's connection. Of a forward trace, the seeds'
// preparation (prepareSeeds, into p) runs on a second connection while the accounts are read,
// and the accounts' names (text the replay does not need) follow on that connection beside
// the read of the transactions: t.names waits for them before they are used. A database
// limited to a single connection (SetMaxOpenConns(1)) runs all of it on the trace's
// connection, one after the other, as it does for a backward trace (which
// prepares no seeds).
//
// release waits for the second connection's work, drops its temporary tables and closes it;
// it is never nil and is to be deferred whatever the error, as the goroutine may still run.
func (t *run) readAccounts(db *casedb.DB, p *preparation) (release func(), err error) {
	back := t.opt.Direction == Backward
	if back || db.Stats().MaxOpenConnections == 1 {
		if err := t.loadAccounts(); err != nil {
			return func() {}, err
		}
		if err := t.loadNames(t.conn); err != nil {
			return func() {}, err
		}
		if !back {
			t.prepareSeeds(t, p)
		}
		return func() {}, nil
	}
	sconn, err := db.Conn(t.ctx)
	if err != nil {
		return func() {}, err
	}
	st := &run{ctx: t.ctx, conn: sconn, opt: t.opt, out: &Outcome{asOfEnd: t.out.asOfEnd}}
	prepared := make(chan struct{})
	loaded := make(chan bool, 1) // whether loadAccounts succeeded, for the names' goroutine
	// The names need the accounts' indexes: they are read once the accounts are loaded
	// (loaded says whether they were).
	named := make(chan struct{})
	var namesErr error
	go func() {
		defer close(named)
		t.prepareSeeds(st, p)
		close(prepared)
		if ok := <-loaded; ok && p.err == nil {
			namesErr = t.loadNames(sconn)
		}
	}()
	release = func() {
		<-named
		st.dropTemp()
		sconn.Close()
	}
	t.names = func() error {
		<-named
		return namesErr
	}
	err = t.loadAccounts()
	loaded <- err == nil
	<-prepared
	return release, err
}

// resolveSeeds turns the prepared candidates into the seeds, now that the accounts (and so
// the exits a seed may not credit) are known.
func (t *run) resolveSeeds(p *preparation) error {
	if p.err != nil {
		return p.err
	}
	t.out.seedsNarrowed = t.narrowed
	return t.pickSeeds(p.cands)
}

// reading is what readTransactions leaves for the replay: whether the case was read (and the
// reachable scope marked during the read), the speculative replay while it still runs, and
// the spool of the rows read once the speculation had stopped, from page spoolFrom on.
type reading struct {
	read      bool
	spec      *speculation
	sp        *spool
	spoolFrom int
}

// close stops the speculative replay and removes the spool, whichever are left.
func (rd *reading) close() {
	if rd.spec != nil {
		rd.spec.p.abandon()
	}
	if rd.sp != nil {
		rd.sp.close()
	}
}

// readTransactions reads the case once, under scope "reachable" with base amounts throughout
// (countAmounts ran beside the accounts' read, so the amounts are known before the scope):
// the scope pass and the speculative replay run during the read. A spool (on disk beyond one
// chunk) keeps the rows for a replay after the read only once the speculation has stopped: it
// starts at the page after that (spoolFrom), and the pages before it are read again if the
// scope needs them. Otherwise nothing is read here and the replay streams its own rows.
// The returned reading is never nil and is to be closed whatever the error.
func (t *run) readTransactions() (*reading, error) {
	rd := &reading{read: t.opt.Scope == ScopeReachable && t.nulls == 0}
	if !rd.read {
		return rd, nil
	}
	t.step("reading transactions")
	r := t.newReacher()
	if speculate {
		var err error
		if rd.spec, err = t.speculate(); err != nil {
			return rd, err
		}
	}
	if _, err := t.pages(); err != nil {
		return rd, err
	}
	total, nonExit := t.replayRows(), 0
	for _, a := range t.out.accounts {
		if !a.exitKind {
			nonExit++
		}
	}
	var read int64
	rd.spoolFrom = -1 // no spool yet
	onPage := func(i int) {
		if rd.spec == nil && rd.sp == nil {
			rd.sp, rd.spoolFrom = newSpool(), i
		}
	}
	err := t.stream(streamSpec{cents: t.centsExpr(), count: true, onPage: onPage}, func(b *tracer.Batch) error {
		r.step(b)
		if rd.spec != nil {
			// Half-way through with fewer than a quarter of the accounts reached, the
			// scope will hardly hold them all: the speculation stops taking a core.
			read += int64(b.Len())
			if rd.spec.p.add(b) != nil || (stopHalfWay && 2*read >= total && 4*r.n < nonExit) {
				rd.spec.p.abandon()
				rd.spec = nil
			}
		}
		if rd.sp != nil {
			return rd.sp.add(b)
		}
		return nil
	})
	if err != nil {
		return rd, fmt.Errorf("read transactions: %w", err)
	}
	if rd.sp == nil {
		rd.spoolFrom = len(t.pageList)
	}
	return rd, nil
}

// replayScope keeps the speculative replay when the scope turned out to hold every account
// and it finished, and otherwise replays the scope from the spool and the pages before it.
func (t *run) replayScope(rd *reading) error {
	done := false
	if rd.spec != nil && t.scopeAll {
		var err error
		if done, err = t.finishSpeculation(rd.spec, t.replayRows()); err != nil {
			return err
		}
		t.out.speculated = done
	}
	if rd.spec != nil {
		rd.spec.p.abandon()
		rd.spec = nil
	}
	if done {
		return nil
	}
	t.out.spoolFrom, t.out.pages = rd.spoolFrom, len(t.pageList)
	return t.replay(rd.sp, rd.spoolFrom)
}

// finish gives the outcome the names of its accounts and transactions, which the replay
// never needed, and the manifest that identifies the run.
func (t *run) finish() error {
	if err := t.waitNames(); err != nil {
		return err
	}
	if err := t.nameTxns(); err != nil {
		return err
	}
	t.noteOrder()
	t.noteOverdrafts()
	if err := t.noteGaps(); err != nil {
		return err
	}
	return t.buildManifest()
}

// speculate switches the speculative replay of a reachable scope on, and stopHalfWay its
// early stop (variables for tests).
var speculate, stopHalfWay = true, true

// run is the state of one Trace call.
type run struct {
	ctx  context.Context
	conn *sql.Conn
	opt  *Options
	out  *Outcome

	base        string  // tracing currency
	amountCol   string  // "base_amount" or "amount"
	subCent     int64   // replayed transactions whose amount has fractions of a cent
	index       []int32 // account_no -> index into out.accounts, -1 for none
	real        int     // the case's accounts, out.accounts[:real]; the rest stand for banks' overdrafts
	openingFX   []ManifestOpeningFX
	inScope     []bool
	scopeAll    bool // every non-exit account is in scope: no filter needed
	scoped      int  // accounts in scope
	scopeTable  bool // mt_scope holds the account numbers in scope
	pageList    []page
	sources     []sourceRange
	sourcesRead bool // sources is loaded (nil when ranges overlap)
	temps       []string
	txns        int64 // transactions replayed
	nulls       int64 // replayable transactions without a base amount

	groupPoison bool // poison replays all seeds as one origin (see poisonGrouped)
	narrowed    int  // selectors whose ids were all found through derivedFilter
	// names, when set, waits for the accounts' ids, kinds and parties read beside the stream
	// and stores them in out.accounts (see waitNames).
	names func() error
	// order is the same-day order of matched transfers (nil when nothing is matched), and
	// orderMade tells that its table mt_order is on the trace's connection.
	order     *replayOrder
	orderMade bool
}

// waitNames makes sure out.accounts holds the accounts' ids, kinds and parties.
func (t *run) waitNames() error {
	if t.names == nil {
		return nil
	}
	f := t.names
	t.names = nil
	return f()
}

// traceBackward is the rest of Trace for a backward trace, once the accounts are loaded.
func (t *run) traceBackward(step func(string)) (*Outcome, error) {
	step("resolving the target")
	if err := t.resolveTarget(); err != nil {
		return nil, err
	}
	if err := t.computeOrder(); err != nil {
		return nil, err
	}
	step("computing the scope")
	if err := t.computeBackwardScope(); err != nil {
		return nil, err
	}
	if err := t.checkOpenings(); err != nil {
		return nil, err
	}
	if err := t.countAmounts(); err != nil {
		return nil, err
	}
	if err := t.checkAmounts(); err != nil {
		return nil, err
	}
	step("replaying transactions")
	if err := t.replayBackward(); err != nil {
		return nil, err
	}
	t.noteOrder()
	if err := t.noteGaps(); err != nil {
		return nil, err
	}
	if err := t.buildManifest(); err != nil {
		return nil, err
	}
	return t.out, nil
}

func (t *run) exec(q string, args ...any) error {
	_, err := t.conn.ExecContext(t.ctx, q, args...)
	return err
}

func (t *run) temp(name, def string) error {
	t.temps = append(t.temps, name)
	return t.exec(`CREATE OR REPLACE TEMP TABLE ` + name + ` ` + def)
}

func (t *run) dropTemp() {
	ctx := context.WithoutCancel(t.ctx)
	for _, n := range t.temps {
		t.conn.ExecContext(ctx, `DROP TABLE IF EXISTS temp.`+n)
	}
}

// dayEnd parses a YYYY-MM-DD date and returns the last microsecond of that day (UTC), in
// Unix microseconds: the engine's as-of bound.
func dayEnd(s string) (int64, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return d.AddDate(0, 0, 1).UnixMicro() - 1, nil
}

// ReadFloor streams the replay columns of every transaction of the case in replay order,
// page by page, as a trace reads them (the same queries, account numbers mapped to indexes,
// amounts rounded to cents), and discards them: the time a trace cannot beat. It returns the
// number of rows read.
func ReadFloor(ctx context.Context, db *casedb.DB) (int64, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	t := &run{ctx: ctx, conn: conn, opt: &Options{Scope: ScopeAll}, out: &Outcome{}}
	defer t.dropTemp()
	if err := t.loadAccounts(); err != nil {
		return 0, err
	}
	t.scopeAll = true
	var n int64
	var cb centsBuf
	err = t.stream(streamSpec{cents: t.centsExpr()}, func(b *tracer.Batch) error {
		n += int64(cb.toCents(b).Len())
		return nil
	})
	return n, err
}
