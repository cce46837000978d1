package casetrace

import (
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

// Manifest identifies a trace: what was traced, how, and from which files. Its JSON encoding
// is stored with the run; the run id is derived from it, so the same trace of the same case
// gets the same id.
type Manifest struct {
	Kind             string           `json:"kind"`
	ToolVersion      string           `json:"tool_version"`
	Direction        string           `json:"direction,omitempty"`
	Target           string           `json:"target,omitempty"`
	OriginBy         string           `json:"origin_by,omitempty"`
	Methods          []string         `json:"methods"`
	Seeds            []ManifestSeed   `json:"seeds"`
	GroupSeeds       bool             `json:"group_seeds"`
	PoisonGrouped    bool             `json:"poison_grouped,omitempty"`
	GroupUnexplained bool             `json:"group_unexplained"`
	Scope            string           `json:"scope"`
	AccountsInScope  int              `json:"accounts_in_scope"`
	AsOf             string           `json:"as_of,omitempty"`
	Currency         string           `json:"currency"`
	Amounts          string           `json:"amounts"`
	SubCentRounded   int64            `json:"sub_cent_amounts_rounded"`
	Flows            string           `json:"flows"`
	TxnsReplayed     int64            `json:"txns_replayed"`
	Sources          []ManifestSource `json:"sources"`
	// FXDigest is casedb.FXDigest of the rates the base amounts were converted with, and
	// MatchesDigest casedb.MatchesDigest of the matches that leave duplicates out of the replay.
	FXDigest      string `json:"fx_digest"`
	MatchesDigest string `json:"matches_digest"`
	// SameDayOrder describes how statements' booking order placed matched transfers; absent
	// when the case has none.
	SameDayOrder *SameDayOrder `json:"same_day_order,omitempty"`
	// Overdrafts lists the accounts that owed their bank during the replay, by account id.
	Overdrafts []ManifestOverdraft `json:"overdrafts,omitempty"`
	// StatementGaps lists the breaks in the statements of the accounts in the scope.
	StatementGaps []ManifestGap `json:"statement_gaps,omitempty"`
	// OpeningsConverted lists the opening balances in other currencies of the accounts in the
	// scope and the rates they were converted at.
	OpeningsConverted []ManifestOpeningFX `json:"openings_converted,omitempty"`
}

// ManifestSeed is one --seed as given and the transactions it selected.
type ManifestSeed struct {
	Given  string   `json:"given"`
	TxnIDs []string `json:"txn_ids"`
}

// ManifestSource is a source file whose transactions the replay read.
type ManifestSource struct {
	SourceID int64  `json:"source_id"`
	FileName string `json:"file_name"`
	SHA256   string `json:"sha256"`
}

// sourceRange is the rowid range of one source's transactions.
type sourceRange struct {
	id     int64
	lo, hi int64
}

// newEngine builds the engine of a forward trace. With everything set every account but the
// exits (cash, external, asset) is in its universe whatever the scope: the speculative
// replay of a reachable scope that turns out to hold every account.
func (t *run) newEngine(everything bool) (*tracer.Engine, error) {
	o := t.opt
	accts := t.engineAccounts(everything)
	seeds := make([]tracer.Seed, len(t.out.seeds))
	for i, s := range t.out.seeds {
		seeds[i] = tracer.Seed{Txn: s.key}
		if o.GroupSeeds {
			seeds[i].Group = 1
		}
	}
	t.groupPoison = poisonGrouped(o, len(seeds))
	return tracer.New(tracer.Config{Accounts: accts, Seeds: seeds, Methods: o.Methods, GroupPoison: t.groupPoison,
		GroupUnexplained: o.GroupUnexplained, Flows: o.Flows, AsOf: t.out.asOfEnd})
}

// engineAccounts is the engine's view of the accounts: exits (of the scope, or with everything
// only the cash, external and asset accounts), opening balances and overdrafts.
func (t *run) engineAccounts(everything bool) []tracer.Account {
	accts := make([]tracer.Account, len(t.out.accounts))
	for i, a := range t.out.accounts {
		exit := a.exitKind
		if !everything {
			exit = t.exit(int32(i))
		}
		accts[i] = tracer.Account{Exit: exit, Opening: a.opening, Overdraft: a.overdraft && !exit, Lender: a.lender}
	}
	return accts
}

// replay runs the engine over the scope's transactions: a stream from the case of the pages
// before page spoolFrom (all of them when sp is nil), then those in sp.
func (t *run) replay(sp *spool, spoolFrom int) error {
	e, err := t.newEngine(false)
	if err != nil {
		return err
	}
	feed := t.queryFeed("")
	if sp != nil {
		total := t.replayRows()
		var before int64
		for _, p := range t.pageList[:spoolFrom] {
			before += p.rows
		}
		feed = func(fn func(*tracer.Batch) error) error {
			if spoolFrom > 0 {
				if err := t.stream(streamSpec{cents: t.centsExpr(), scope: true, upTo: spoolFrom}, fn); err != nil {
					return err
				}
				t.count(before, total)
			}
			return t.feedSpool(sp, before, total, fn)
		}
	}
	if err := t.replayStream(e, feed, nil, true); err != nil {
		return err
	}
	return t.keepReport(e)
}

// keepReport takes the engine's report as the trace's outcome, checked for conservation.
func (t *run) keepReport(e *tracer.Engine) error {
	rep := e.Report()
	if err := rep.Check(); err != nil {
		return fmt.Errorf("internal error, please report: %w", err)
	}
	t.out.Report = rep
	t.txns = rep.Txns
	return nil
}

// speculation is a replay of every account, run while the case is read for the reachable
// scope. When the scope turns out to hold every account (seeds whose money reaches the whole
// case, common on dense data) it is the scoped replay, transaction for transaction, and the
// trace is done when the read is; otherwise it is dropped and the scope is replayed from the
// spool and, for the pages before the spool, from the case (see replay).
type speculation struct {
	e  *tracer.Engine
	rp *replayer
	p  *pipeline
}

// speculate starts the speculative replay.
func (t *run) speculate() (*speculation, error) {
	if err := t.loadSourceRanges(); err != nil {
		return nil, err
	}
	e, err := t.newEngine(true)
	if err != nil {
		return nil, err
	}
	rp := t.newReplayer(e, nil, true)
	return &speculation{e: e, rp: rp, p: rp.start()}, nil
}

// finishSpeculation waits for the speculative replay of rows transactions, reporting its
// progress, and keeps its outcome. It returns false when the replay failed: the scoped
// replay then runs and reports the error itself.
func (t *run) finishSpeculation(s *speculation, rows int64) (bool, error) {
	s.p.end()
	if t.opt.Count != nil {
		tick := time.NewTicker(100 * time.Millisecond)
	wait:
		for {
			select {
			case <-s.p.done:
				break wait
			case <-tick.C:
				t.count(s.p.applied.Load(), rows)
			}
		}
		tick.Stop()
	}
	if err := s.p.close(); err != nil {
		return false, nil
	}
	t.count(s.p.applied.Load(), rows)
	if err := t.keepReport(s.e); err != nil {
		return false, err
	}
	return true, t.finishReplay(s.rp)
}

// feedSpool hands the spooled transactions that touch the scope to fn in batches, in replay
// order, reporting progress through Options.Count as done+rows of total.
func (t *run) feedSpool(sp *spool, done, total int64, fn func(*tracer.Batch) error) error {
	in := t.inScope
	var b tracer.Batch
	return sp.each(func(c *tracer.Batch) error {
		done += int64(c.Len())
		defer t.count(done, total)
		if t.scopeAll {
			return fn(c)
		}
		b.Txn, b.From, b.To, b.Cents, b.At = b.Txn[:0], b.From[:0], b.To[:0], b.Cents[:0], b.At[:0]
		for i, f := range c.From {
			if to := c.To[i]; in[f] || in[to] {
				b.Txn, b.From, b.To = append(b.Txn, c.Txn[i]), append(b.From, f), append(b.To, to)
				b.Cents, b.At = append(b.Cents, c.Cents[i]), append(b.At, c.At[i])
			}
		}
		if b.Len() == 0 {
			return nil
		}
		return fn(&b)
	})
}

// loadSourceRanges reads each source's rowid range; sources are loaded one file per
// transaction, so the ranges do not overlap. When they do (a case rewritten in place), the
// sources are found with a query instead and t.sources stays nil.
func (t *run) loadSourceRanges() error {
	if t.sourcesRead {
		return nil
	}
	t.sourcesRead = true
	rows, err := t.conn.QueryContext(t.ctx, `SELECT source_id, min(rowid), max(rowid) FROM transactions GROUP BY source_id ORDER BY 2`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var rs []sourceRange
	for rows.Next() {
		var r sourceRange
		if err := rows.Scan(&r.id, &r.lo, &r.hi); err != nil {
			return err
		}
		if len(rs) > 0 && r.lo <= rs[len(rs)-1].hi {
			return rows.Err()
		}
		rs = append(rs, r)
	}
	t.sources = rs
	return rows.Err()
}

func (t *run) sourcesBySQL() error {
	in, err := t.scopeSQL()
	if err != nil {
		return err
	}
	rows, err := t.conn.QueryContext(t.ctx, `SELECT DISTINCT t.source_id FROM transactions t
		WHERE `+t.replayFilter()+` AND `+in+` AND `+t.centsExpr()+` >= 5000`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return t.describeSources(ids)
}

func (t *run) describeSources(ids []int64) error {
	slices.Sort(ids)
	for _, id := range ids {
		s := ManifestSource{SourceID: id}
		if err := t.conn.QueryRowContext(t.ctx, `SELECT file_name, sha256 FROM sources WHERE source_id = ?`, id).Scan(&s.FileName, &s.SHA256); err != nil {
			return fmt.Errorf("source %d: %w", id, err)
		}
		t.out.Manifest.Sources = append(t.out.Manifest.Sources, s)
	}
	return nil
}

// nameTxns looks up the txn_id of every transaction that a seed or a flow refers to. The
// seeds' ids are known from their selectors; only flows need a query.
func (t *run) nameTxns() error {
	t.out.txnIDs = make(map[int64]string, len(t.out.seeds))
	for _, s := range t.out.seeds {
		t.out.txnIDs[s.key] = s.txnID
	}
	keys := map[int64]bool{}
	if t.out.Report != nil {
		for _, r := range t.out.Report.Results {
			for _, f := range r.Flows {
				if _, ok := t.out.txnIDs[f.Txn]; !ok {
					keys[f.Txn] = true
				}
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sorted := make([]int64, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	if err := t.temp("mt_keys", `(k BIGINT)`); err != nil {
		return err
	}
	err := t.conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "mt_keys")
		if err != nil {
			return err
		}
		for _, k := range sorted {
			if err := a.AppendRow(k); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if err != nil {
		return fmt.Errorf("name transactions: %w", err)
	}
	rows, err := t.conn.QueryContext(t.ctx, `SELECT k.k, t.txn_id FROM mt_keys k JOIN transactions t ON t.rowid = k.k`)
	if err != nil {
		return err
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var k int64
		var id string
		if err := rows.Scan(&k, &id); err != nil {
			return err
		}
		t.out.txnIDs[k] = id
		found++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if found != len(sorted) {
		return fmt.Errorf("name transactions: found %d of %d", found, len(sorted))
	}
	return nil
}

// buildManifest fills in the manifest and derives the run id from it.
func (t *run) buildManifest() error {
	o, m := t.opt, &t.out.Manifest
	m.Kind = "trace"
	m.ToolVersion = o.ToolVersion
	for _, me := range o.Methods {
		m.Methods = append(m.Methods, me.String())
	}
	m.GroupSeeds, m.GroupUnexplained, m.PoisonGrouped = o.GroupSeeds, o.GroupUnexplained, t.groupPoison
	m.Scope, m.AccountsInScope, m.AsOf = o.Scope, t.scoped, o.AsOf
	m.Currency, m.Amounts, m.SubCentRounded = t.base, t.amountCol, t.subCent
	m.Flows = o.Flows.String()
	m.TxnsReplayed = t.txns
	m.OpeningsConverted = nil
	for _, c := range t.openingFX {
		if i := t.accountIndex(c.Account); i >= 0 && t.inScope[i] {
			m.OpeningsConverted = append(m.OpeningsConverted, c)
		}
	}
	var err error
	if m.FXDigest, err = casedb.FXDigest(t.ctx, t.conn); err != nil {
		return err
	}
	if m.MatchesDigest, _, err = casedb.MatchesDigest(t.ctx, t.conn); err != nil {
		return err
	}
	if b := t.out.back; b != nil {
		m.Direction, m.Target, m.OriginBy = Backward, o.Target, o.OriginBy
		m.Flows = "none"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	t.out.RunID = "trace-" + hex.EncodeToString(sum[:])[:12]
	return nil
}

// ManifestJSON returns the manifest as stored: indented JSON with the run id.
func (out *Outcome) ManifestJSON() []byte {
	b, _ := json.MarshalIndent(struct {
		RunID string `json:"run_id"`
		Manifest
	}{out.RunID, out.Manifest}, "", "  ")
	return append(b, '\n')
}

// PoisonPerSeedMax is the largest number of seed origins for which poison, replayed beside
// other methods, keeps one origin per seed.
const PoisonPerSeedMax = 32

// poisonGrouped reports whether poison replays all seeds as one origin ("seeds"): when it
// runs beside other methods and there are more than PoisonPerSeedMax seed origins. Per seed,
// poison keeps every origin that ever touched an account with it (accounts x seeds: several
// GiB for thousands of seeds on a large case); grouped it is one mark per account, and the
// sensitivity table sets it beside the other methods' seed totals. Poison alone (--method
// poison) stays per seed.
func poisonGrouped(o *Options, seeds int) bool {
	if o.GroupSeeds || seeds <= PoisonPerSeedMax || len(o.Methods) < 2 {
		return false
	}
	return slices.Contains(o.Methods, tracer.Poison)
}
