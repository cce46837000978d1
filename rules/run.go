package rules

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// ErrRulesFailed reports a run in which at least one rule failed; the other rules' findings
// are stored and returned all the same.
var ErrRulesFailed = errors.New("rules failed")

// Options describe one run of packs.
type Options struct {
	// Params override parameter defaults ("RULE.NAME" -> text).
	Params Overrides
	// ToolVersion goes into the manifest.
	ToolVersion string
	// StartedAt is the declared start of the run, stored in runs.started_at only: it is not
	// part of the manifest or the run id.
	StartedAt time.Time
	// RuleTimeout bounds each rule's time (0: no bound other than ctx's).
	RuleTimeout time.Duration
	// Progress, when set, is told the id of each rule as it starts.
	Progress func(rule string)
	// Tracer runs the packs' trace steps (casetrace.Rules); a pack with a trace step fails
	// without one.
	Tracer Tracer
}

// Finding is one result row of a rule.
type Finding struct {
	RuleID      string
	Pack        string
	PackVersion string
	Subject     string
	// Amount is an exact decimal with six places, in the case's base currency unless the
	// rule says otherwise in its detail.
	Amount string
	// Score is the rule's optional score, rounded to six decimals.
	Score    *float64
	Evidence []string
	Detail   string
}

// RuleError is a rule that failed, and why.
type RuleError struct {
	Pack, RuleID string
	Err          error
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("pack %s, rule %s: %v", e.Pack, e.RuleID, e.Err)
}
func (e *RuleError) Unwrap() error { return e.Err }

// Manifest identifies a run: what ran, with which parameters, over which inputs. Its JSON
// encoding is stored in runs.manifest_json; the run id is derived from it, so the same packs
// with the same parameters over the same case get the same id.
type Manifest struct {
	Kind        string                `json:"kind"`
	ToolVersion string                `json:"tool_version"`
	Packs       []ManifestPack        `json:"packs"`
	Params      map[string]RuleParams `json:"params"`
	Sources     []ManifestSource      `json:"sources"`
	// FXDigest is the SHA-256 of the fx_rates table in key order.
	FXDigest string `json:"fx_digest"`
	// DeclaredIncomeDigest is the SHA-256 of the declared_income table in key order.
	DeclaredIncomeDigest string `json:"declared_income_digest"`
	// MatchesDigest is casedb.MatchesDigest of the matches table: which transactions are left out of
	// the txns view as the other side of a transfer already counted.
	MatchesDigest string `json:"matches_digest"`
	// Txns is the number of rows of the txns view (de-duplicated transactions).
	Txns     int64             `json:"txns"`
	Failures []ManifestFailure `json:"failures,omitempty"`
	Findings int               `json:"findings"`
}

// ManifestPack is one pack of a run.
type ManifestPack struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Origin  string   `json:"origin"`
	SHA256  string   `json:"sha256"`
	Rules   []string `json:"rules"`
}

// ManifestSource is one source file of the case.
type ManifestSource struct {
	SourceID int64  `json:"source_id"`
	FileName string `json:"file_name"`
	SHA256   string `json:"sha256"`
}

// ManifestFailure is a rule that failed in the run.
type ManifestFailure struct {
	Rule  string `json:"rule"`
	Error string `json:"error"`
}

// Result is a finished run.
type Result struct {
	// RunID is "rules-" and the first 12 hex digits of the manifest's SHA-256.
	RunID     string
	Manifest  Manifest
	Findings  []Finding
	Failures  []*RuleError
	StartedAt time.Time
	// Notes are remarks on rules that ran but could not do all they meant to (e.g. a trace
	// step without seeds).
	Notes []string
}

// ManifestJSON returns the manifest as stored: indented JSON.
func (r *Result) ManifestJSON() []byte {
	b, _ := json.MarshalIndent(struct {
		RunID string `json:"run_id"`
		Manifest
	}{r.RunID, r.Manifest}, "", "  ")
	return append(b, '\n')
}

// Run runs the packs' rules in order over db and returns the findings under a run id derived
// from the manifest; nothing is stored (Result.Store does that, RunCase both). Pack SQL is
// untrusted: db must be sealed (casedb.Options{Sealed: true}), so that no rule can write to
// the case or reach a file, and each rule's query runs only if DuckDB reads it as one SELECT.
// A rule that fails is reported in Result.Failures and in the returned error (wrapping
// ErrRulesFailed) with the other rules' findings kept; any other error returns no result.
func Run(ctx context.Context, db *casedb.DB, packs []*Pack, opt Options) (*Result, error) {
	if len(packs) == 0 {
		return nil, fmt.Errorf("%w: no packs to run", ErrPack)
	}
	if err := uniqueRuleIDs(packs); err != nil {
		return nil, err
	}
	params, err := resolve(packs, opt.Params)
	if err != nil {
		return nil, err
	}
	if !db.Sealed {
		return nil, fmt.Errorf("%w: rules run on a sealed case (casedb.Options{Sealed: true}); %s is not", casedb.ErrInternal, db.Path)
	}
	res := &Result{StartedAt: opt.StartedAt.UTC()}
	m := &res.Manifest
	m.Kind, m.ToolVersion, m.Params = "rules", opt.ToolVersion, params
	if err := inputs(ctx, db, m); err != nil {
		return nil, err
	}
	for _, p := range packs {
		mp := ManifestPack{Name: p.Name, Version: p.Version, Origin: p.Origin, SHA256: p.SHA256}
		for _, r := range p.Rules {
			mp.Rules = append(mp.Rules, r.ID)
		}
		m.Packs = append(m.Packs, mp)
	}
	ex := &executor{db: db, opt: opt, res: res, failed: map[string]bool{}}
	for _, p := range packs {
		for _, r := range p.Rules {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if opt.Progress != nil {
				opt.Progress(r.ID)
			}
			fs, err := ex.rule(ctx, p, r, params[r.ID])
			if err != nil {
				re := &RuleError{Pack: p.Name, RuleID: r.ID, Err: err}
				res.Failures = append(res.Failures, re)
				m.Failures = append(m.Failures, ManifestFailure{Rule: r.ID, Error: err.Error()})
				ex.failed[r.ID] = true
				continue
			}
			res.Findings = append(res.Findings, fs...)
		}
	}
	m.Findings = len(res.Findings)
	mj, _ := json.Marshal(m)
	sum := sha256.Sum256(mj)
	res.RunID = "rules-" + hex.EncodeToString(sum[:])[:12]
	return res, res.failed()
}

// failed is the error of a run with failed rules (nil without).
func (r *Result) failed() error {
	if len(r.Failures) > 0 {
		var errs []error
		for _, f := range r.Failures {
			errs = append(errs, f)
		}
		return fmt.Errorf("%w (%d of them; the others' findings are kept): %w", ErrRulesFailed, len(r.Failures), errors.Join(errs...))
	}
	return nil
}

// RunCase runs the packs over the case that open opens and stores the result: the rules run
// on a sealed handle (Run), which is closed before a writable one stores the findings
// (Result.Store, which refuses when the case changed in between). A case of an older schema
// is migrated first. The error is Run's (ErrRulesFailed: the result is stored all the same)
// or the first that stopped the run.
func RunCase(ctx context.Context, open casedb.Opener, packs []*Pack, opt Options) (*Result, error) {
	rw, err := open(ctx, casedb.Options{})
	if err != nil {
		return nil, err
	}
	rw.Close() // opened writable once: an older schema is migrated now
	sealed, err := open(ctx, casedb.Options{Sealed: true})
	if err != nil {
		return nil, err
	}
	res, runErr := Run(ctx, sealed, packs, opt)
	sealed.Close()
	if res == nil {
		return nil, runErr
	}
	if rw, err = open(ctx, casedb.Options{}); err != nil {
		return nil, err
	}
	defer rw.Close()
	if err := res.Store(ctx, rw); err != nil {
		return nil, err
	}
	return res, runErr
}

// ErrCaseChanged reports a case that another process changed between a run's reading and
// its storing: nothing was stored; run again. It is an ErrBusy.
var ErrCaseChanged = fmt.Errorf("%w: the case changed while the run read it", casedb.ErrBusy)

// Store writes the run and its findings into db (writable) in one transaction, replacing a
// run with the same id, after checking that the case's inputs (sources, rates, declared
// income, matches, transactions) are still those the run read: another process may have
// written between the sealed read and this store.
func (r *Result) Store(ctx context.Context, db *casedb.DB) error {
	var now Manifest
	if err := inputs(ctx, db, &now); err != nil {
		return err
	}
	if d := inputChanges(&r.Manifest, &now); d != "" {
		return fmt.Errorf("%w (%s): nothing stored; run the rules again", ErrCaseChanged, d)
	}
	return r.store(ctx, db)
}

// inputChanges names what differs between the inputs of two manifests ("" when nothing).
func inputChanges(was, now *Manifest) string {
	var d []string
	if len(was.Sources) != len(now.Sources) {
		d = append(d, fmt.Sprintf("%d sources, now %d", len(was.Sources), len(now.Sources)))
	} else {
		for i := range was.Sources {
			if was.Sources[i] != now.Sources[i] {
				d = append(d, "source "+now.Sources[i].FileName)
			}
		}
	}
	if was.FXDigest != now.FXDigest {
		d = append(d, "the rates table")
	}
	if was.DeclaredIncomeDigest != now.DeclaredIncomeDigest {
		d = append(d, "the declared income")
	}
	if was.MatchesDigest != now.MatchesDigest {
		d = append(d, "the matches")
	}
	if was.Txns != now.Txns {
		d = append(d, fmt.Sprintf("%d transactions, now %d", was.Txns, now.Txns))
	}
	return strings.Join(d, ", ")
}

func uniqueRuleIDs(packs []*Pack) error {
	where := map[string]string{}
	names := map[string]bool{}
	for _, p := range packs {
		if names[p.Name] {
			return fmt.Errorf("%w: pack %s given twice", ErrPack, p.Name)
		}
		names[p.Name] = true
		for _, r := range p.Rules {
			if w, ok := where[r.ID]; ok {
				return fmt.Errorf("%w: rule %s is in both pack %s and pack %s: run them separately", ErrPack, r.ID, w, p.Name)
			}
			where[r.ID] = p.Name
		}
	}
	return nil
}

// inputs records the case's sources, FX table and declared income in the manifest.
func inputs(ctx context.Context, db *casedb.DB, m *Manifest) error {
	rows, err := db.QueryContext(ctx, `SELECT source_id, file_name, sha256 FROM sources ORDER BY source_id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s ManifestSource
		if err := rows.Scan(&s.SourceID, &s.FileName, &s.SHA256); err != nil {
			rows.Close()
			return err
		}
		m.Sources = append(m.Sources, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if m.FXDigest, err = casedb.FXDigest(ctx, db); err != nil {
		return err
	}
	if m.DeclaredIncomeDigest, err = casedb.TableDigest(ctx, db, `SELECT party_id, CAST(year AS VARCHAR), CAST(amount AS VARCHAR), currency, coalesce(source, '')
		FROM declared_income ORDER BY party_id, year, currency, amount, source`); err != nil {
		return fmt.Errorf("declared income digest: %w", err)
	}
	if m.MatchesDigest, _, err = casedb.MatchesDigest(ctx, db); err != nil {
		return err
	}
	return db.QueryRowContext(ctx, `SELECT count(*) FROM txns`).Scan(&m.Txns)
}

// store writes the run and its findings in one transaction, replacing a run with the same id.
func (r *Result) store(ctx context.Context, db *casedb.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM findings WHERE run_id = ?`, `DELETE FROM runs WHERE run_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, r.RunID); err != nil {
			return err
		}
	}
	params, _ := json.Marshal(r.Manifest.Params)
	var inputs strings.Builder
	for _, s := range r.Manifest.Sources {
		inputs.WriteString(s.SHA256 + "\n")
	}
	inputs.WriteString(r.Manifest.FXDigest + "\n" + r.Manifest.DeclaredIncomeDigest + "\n" + r.Manifest.MatchesDigest + "\n")
	isum := sha256.Sum256([]byte(inputs.String()))
	if _, err := tx.ExecContext(ctx, `INSERT INTO runs VALUES (?, 'rules', CAST(? AS TIMESTAMP), ?, ?, ?, ?)`,
		r.RunID, r.StartedAt.Format("2006-01-02 15:04:05.999999"), r.Manifest.ToolVersion, hex.EncodeToString(isum[:]),
		string(params), string(r.ManifestJSON())); err != nil {
		return fmt.Errorf("store run %s: %w", r.RunID, err)
	}
	if len(r.Findings) == 0 {
		return tx.Commit()
	}
	var rule, pack, ver, subj, amt, ev, detail []string
	var score []string
	for _, f := range r.Findings {
		rule, pack, ver = append(rule, f.RuleID), append(pack, f.Pack), append(ver, f.PackVersion)
		subj, amt = append(subj, f.Subject), append(amt, f.Amount)
		ev, detail = append(ev, strings.Join(f.Evidence, " ")), append(detail, f.Detail)
		sc := ""
		if f.Score != nil {
			sc = strconv.FormatFloat(*f.Score, 'g', -1, 64)
		}
		score = append(score, sc)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO findings
		SELECT $1, unnest($2::VARCHAR[]), unnest($3::VARCHAR[]), unnest($4::VARCHAR[]), unnest($5::VARCHAR[]),
			CAST(unnest($6::VARCHAR[]) AS DECIMAL(38,6)), CAST(nullif(unnest($7::VARCHAR[]), '') AS DOUBLE), unnest($8::VARCHAR[]), nullif(unnest($9::VARCHAR[]), '')`,
		r.RunID, rule, pack, ver, subj, amt, score, ev, detail); err != nil {
		return fmt.Errorf("store findings of %s: %w", r.RunID, err)
	}
	return tx.Commit()
}

// SuspectsRule is the id of the smuggling pack's rule that ranks every party (and account
// without one) by the rules that fired on it: its findings are the suspects list, their score
// the rank, written as suspects.csv by `rules run --out`.
const SuspectsRule = "suspects"

// Suspects returns the findings of SuspectsRule among fs, highest score first, ties by
// subject: the ranked suspects of a run.
func Suspects(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.RuleID == SuspectsRule {
			out = append(out, f)
		}
	}
	score := func(f Finding) float64 {
		if f.Score == nil {
			return 0
		}
		return *f.Score
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := cmp.Compare(score(b), score(a)); c != 0 {
			return c
		}
		return strings.Compare(a.Subject, b.Subject)
	})
	return out
}
