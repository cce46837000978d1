// Package match finds the two sides of one transfer seen in two exports of a case (the payer's
// bank statement and the payee's) and marks one of them duplicate_of the other, so that every
// transfer counts once; it also lists the undisclosed accounts and the statement chain.
//
// Rules, in order (see the Rule constants):
//
//   - Stage 1, by identifier: the same UETR (confidence 1.0), else the same EndToEndId (not
//     NOTPROVIDED) with amounts that agree as in stage 2 and dates within the window (0.95).
//   - Stage 2, by amount: a debit of statement account A to B in A's export and a credit of B
//     from A in B's export, booked within the window, where the received amount is the sent
//     one, or lower by at most the fee tolerance, or, across currencies, the amount the
//     sender's export says was received, or else the same within the FX tolerance once both
//     are in the case's base currency. Confidence 0.9 for the same amount, 0.8 with a fee or
//     a stated received amount, 0.7 through base amounts, less 0.04 a day apart.
//
// The two sides must come from different sources and must link the same two statement
// accounts; one side may know the other account only by its holder's name (an entry without
// an account number), which costs 0.1 (0.02 in stage 1); both by name never pair. Two
// different UETRs or EndToEndIds are two different payments. Pending entries are left out.
// Each side is in at most one pair: a pair is taken only when each side is the other's single
// best candidate; ties are reported as ambiguous and never guessed.
package match

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// Options controls a matching run. The zero value matches only identical amounts booked on
// the same day; DefaultOptions gives the CLI's defaults.
type Options struct {
	// Window is how far apart the two bookings may be (whole days count).
	Window time.Duration
	// FeeTolerance is how much lower the received amount may be than the sent one.
	FeeTolerance Tolerance
	// FXTolerance is how far apart the two sides may be in the base currency when they are in
	// different currencies (the banks' rates are not the stored reference rates).
	FXTolerance Tolerance
	// DryRun finds the pairs and changes nothing.
	DryRun bool
	// Now is recorded as run_at on the new matches and as the run's started_at; zero means
	// time.Now().
	Now time.Time
	// ToolVersion goes into the run's manifest.
	ToolVersion string
}

// DefaultOptions returns a 3-day window, a 2% fee tolerance and a 3% FX tolerance.
func DefaultOptions() Options {
	return Options{
		Window:       3 * 24 * time.Hour,
		FeeTolerance: Tolerance{Value: decimal.NewFromInt(2), Percent: true},
		FXTolerance:  Tolerance{Value: decimal.NewFromInt(3), Percent: true},
	}
}

// Pair is one transfer seen twice: Duplicate is marked duplicate_of Kept.
type Pair struct {
	MatchID    int64
	Kept       string
	Duplicate  string
	Rule       string
	Confidence float64
	// AmountDiff is sent less received, in DiffCurrency (the base currency for RuleAmountFXBase);
	// DiffCurrency is empty (and matches.amount_diff NULL) for a UETR pair across currencies.
	AmountDiff   decimal.Decimal
	DiffCurrency string
	DaysApart    int
	Detail       string
}

// Ambiguity is a candidate pair left undecided because a side had equally good candidates.
type Ambiguity struct {
	Debit, Credit string
	Rule          string
	Confidence    float64
}

// Result is what a run found.
type Result struct {
	// Pairs are the pairs this run added (or, with DryRun, would add), in match_id order.
	Pairs []Pair
	// Existing counts the pairs already in the case before this run.
	Existing int
	// Ambiguous lists the candidate pairs that were not decided.
	Ambiguous []Ambiguity
	// RunID is the id of the run recorded in runs (kind "match"); empty for a dry run.
	RunID string
	// Manifest is the recorded run's manifest; nil for a dry run.
	Manifest *Manifest
}

// ByRule counts the pairs per rule.
func (r Result) ByRule() map[string]int {
	m := map[string]int{}
	for _, p := range r.Pairs {
		m[p.Rule]++
	}
	return m
}

// ErrReadOnly reports a run that would change a case opened read-only.
var ErrReadOnly = errors.New("case is open read-only")

// Run pairs the transfers of the case and, unless opt.DryRun, records every new pair in the
// matches table and sets duplicate_of on its duplicate side, all in one transaction. Sides
// already in a match are left as they are, so running it again adds nothing new.
func Run(ctx context.Context, db *casedb.DB, opt Options) (Result, error) {
	var res Result
	if db.ReadOnly && !opt.DryRun {
		return res, ErrReadOnly
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM matches`).Scan(&res.Existing); err != nil {
		return res, fmt.Errorf("read matches: %w", err)
	}
	u, err := loadUniverse(ctx, tx)
	if err != nil {
		return res, err
	}
	sides, err := loadSides(ctx, tx)
	if err != nil {
		return res, err
	}
	p := params{days: windowDays(opt.Window), fee: opt.FeeTolerance, fx: opt.FXTolerance}
	edges, ambiguous := pairUp(sides, u, p)
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(match_id), 0) + 1 FROM matches`).Scan(&next); err != nil {
		return res, err
	}
	for _, e := range edges {
		kept, dup := keep(&sides[e.d], &sides[e.c])
		detail := e.evidence
		if e.byName != "" {
			detail += "; counterparty known only by the name of " + e.byName + "'s holder"
		}
		res.Pairs = append(res.Pairs, Pair{MatchID: next, Kept: kept.ID, Duplicate: dup.ID, Rule: e.rule,
			Confidence: float64(e.score) / 10000, AmountDiff: e.diff, DiffCurrency: e.diffCcy, DaysApart: e.days,
			Detail: detail})
		next++
	}
	for _, e := range ambiguous {
		res.Ambiguous = append(res.Ambiguous, Ambiguity{Debit: sides[e.d].ID, Credit: sides[e.c].ID, Rule: e.rule,
			Confidence: float64(e.score) / 10000})
	}
	if opt.DryRun {
		return res, nil
	}
	now := opt.now()
	for _, m := range res.Pairs {
		// A UETR pair across currencies has no amount difference to state.
		var ccy, diff any
		if m.DiffCurrency != "" {
			ccy, diff = m.DiffCurrency, m.AmountDiff.String()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO matches VALUES (?, ?, ?, ?, ?, CAST(? AS `+casedb.Money+`), ?, ?, ?, ?)`,
			m.MatchID, m.Kept, m.Duplicate, m.Rule, m.Confidence, diff, ccy, m.DaysApart,
			now.Format("2006-01-02 15:04:05.999999"), m.Detail); err != nil {
			return res, fmt.Errorf("store match %d (%s, %s): %w", m.MatchID, m.Kept, m.Duplicate, err)
		}
	}
	if len(res.Pairs) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE transactions
			SET duplicate_of = (SELECT m.kept_txn_id FROM matches m WHERE m.duplicate_txn_id = transactions.txn_id)
			WHERE duplicate_of IS NULL AND txn_id IN (SELECT duplicate_txn_id FROM matches WHERE match_id >= ?)`,
			res.Pairs[0].MatchID); err != nil {
			return res, fmt.Errorf("mark duplicates: %w", err)
		}
	}
	m := &Manifest{Kind: RunKind, ToolVersion: opt.ToolVersion,
		Params:   &ManifestParams{WindowDays: windowDays(opt.Window), FeeTolerance: opt.FeeTolerance.String(), FXTolerance: opt.FXTolerance.String()},
		Existing: res.Existing, Added: len(res.Pairs), Ambiguous: len(res.Ambiguous)}
	if res.RunID, err = record(ctx, tx, m, now); err != nil {
		return res, err
	}
	res.Manifest = m
	return res, tx.Commit()
}

// now is opt.Now, or the clock when it is zero, in UTC to the microsecond.
func (opt Options) now() time.Time {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	return now.UTC().Truncate(time.Microsecond)
}

// Undo removes every match and clears duplicate_of on the transactions they marked, in one
// transaction, and records the undo as a run (opt gives its time and tool version; the
// tolerances are not used). It returns how many matches it removed.
func Undo(ctx context.Context, db *casedb.DB, opt Options) (int64, error) {
	if db.ReadOnly {
		return 0, ErrReadOnly
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE transactions SET duplicate_of = NULL
		WHERE txn_id IN (SELECT duplicate_txn_id FROM matches)`); err != nil {
		return 0, fmt.Errorf("clear duplicate_of: %w", err)
	}
	r, err := tx.ExecContext(ctx, `DELETE FROM matches`)
	if err != nil {
		return 0, fmt.Errorf("delete matches: %w", err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, err
	}
	m := &Manifest{Kind: RunKind, ToolVersion: opt.ToolVersion, Undo: true, Existing: int(n), Removed: int(n)}
	if _, err := record(ctx, tx, m, opt.now()); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// loadUniverse reads the statement accounts and their holders' name keys.
func loadUniverse(ctx context.Context, tx *sql.Tx) (universe, error) {
	u := universe{statement: map[string]bool{}, holderKey: map[string]string{}, byKey: map[string][]string{}}
	rows, err := tx.QueryContext(ctx, `SELECT account_id, coalesce(holder_name, '') FROM accounts
		WHERE has_statement ORDER BY account_id`)
	if err != nil {
		return u, fmt.Errorf("read statement accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, holder string
		if err := rows.Scan(&id, &holder); err != nil {
			return u, err
		}
		u.statement[id] = true
		if k := canon.NameKey(holder); k != "" {
			u.holderKey[id] = k
			u.byKey[k] = append(u.byKey[k], id)
		}
	}
	for _, v := range u.byKey {
		sort.Strings(v)
	}
	return u, rows.Err()
}

// sidesQuery selects the transactions that can be half of a transfer between two statement
// accounts: booked, not already matched, a debit of a statement account in an export of that
// account (or a credit likewise), whose counterparty is a statement account or known by name.
const sidesQuery = `
WITH cover AS (
	SELECT DISTINCT source_id, account_id FROM statements
	UNION
	SELECT source_id, statement_account FROM sources WHERE statement_account IS NOT NULL),
st AS (SELECT account_id FROM accounts WHERE has_statement),
matched AS (SELECT kept_txn_id AS txn_id FROM matches UNION SELECT duplicate_txn_id FROM matches),
t AS (
	SELECT t.*,
		EXISTS (SELECT 1 FROM cover c WHERE c.source_id = t.source_id AND c.account_id = t.from_account) AS is_debit,
		EXISTS (SELECT 1 FROM cover c WHERE c.source_id = t.source_id AND c.account_id = t.to_account) AS is_credit
	FROM transactions t
	WHERE t.duplicate_of IS NULL AND NOT t.pending AND t.from_account <> t.to_account
		AND t.txn_id NOT IN (SELECT txn_id FROM matched))
SELECT txn_id, source_id, seq, strftime(booked_at, '%Y-%m-%d'), from_account, to_account,
	CAST(amount AS VARCHAR), currency, CAST(base_amount AS VARCHAR), coalesce(base_currency, ''),
	CAST(received_amount AS VARCHAR), coalesce(received_currency, ''),
	coalesce(end_to_end_id, ''), coalesce(uetr, ''), is_debit, is_credit
FROM t
WHERE (is_debit AND (to_account IN (SELECT account_id FROM st) OR to_account LIKE 'external:name:%'))
	OR (is_credit AND (from_account IN (SELECT account_id FROM st) OR from_account LIKE 'external:name:%'))
ORDER BY source_id, seq, txn_id`

func loadSides(ctx context.Context, tx *sql.Tx) ([]side, error) {
	rows, err := tx.QueryContext(ctx, sidesQuery)
	if err != nil {
		return nil, fmt.Errorf("read transfers: %w", err)
	}
	defer rows.Close()
	var out []side
	for rows.Next() {
		var s side
		var day, amount string
		var base, received sql.NullString
		if err := rows.Scan(&s.ID, &s.Source, &s.Seq, &day, &s.From, &s.To, &amount, &s.Currency, &base,
			&s.BaseCurrency, &received, &s.ReceivedCcy, &s.EndToEnd, &s.UETR, &s.Debit, &s.Credit); err != nil {
			return nil, err
		}
		var err error
		if s.Day, err = time.Parse(time.DateOnly, day); err != nil {
			return nil, fmt.Errorf("transaction %s: booking date %q: %w", s.ID, day, err)
		}
		if s.Amount, err = decimal.NewFromString(amount); err != nil {
			return nil, fmt.Errorf("transaction %s: amount %q: %w", s.ID, amount, err)
		}
		if s.Base, err = nullDecimal(base); err != nil {
			return nil, fmt.Errorf("transaction %s: base_amount: %w", s.ID, err)
		}
		if s.Received, err = nullDecimal(received); err != nil {
			return nil, fmt.Errorf("transaction %s: received_amount: %w", s.ID, err)
		}
		s.UETR = strings.TrimSpace(s.UETR)
		out = append(out, s)
	}
	return out, rows.Err()
}

func nullDecimal(s sql.NullString) (decimal.NullDecimal, error) {
	if !s.Valid {
		return decimal.NullDecimal{}, nil
	}
	d, err := decimal.NewFromString(s.String)
	return decimal.NullDecimal{Decimal: d, Valid: err == nil}, err
}
