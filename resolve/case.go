package resolve

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// caseAttributes lists every party's identity evidence in the case: party_attributes (with
// the file each was read from), and, for cases loaded before version 4 or parties no file
// described, what the parties table holds (name, birth date, country, with the first file
// that named the party) and the bank accounts party_links say each party holds.
const caseAttributes = `
	SELECT a.party_id, a.kind, a.value, coalesce(s.file_name, 'source ' || a.source_id), a.record
	FROM party_attributes a LEFT JOIN sources s USING (source_id)
	UNION
	SELECT p.party_id, k.kind, k.value, coalesce(s.file_name, 'the case'), 0
	FROM parties p LEFT JOIN sources s ON s.source_id = p.first_source_id,
		LATERAL (VALUES ('name', p.name), ('birth_date', strftime(p.birth_date, '%Y-%m-%d')), ('country', p.country)) k(kind, value)
	WHERE k.value IS NOT NULL AND k.value <> ''
	UNION
	SELECT l.party_id, 'account', l.account_id, coalesce(s.file_name, 'the case'), 0
	FROM party_links l JOIN accounts a USING (account_id) LEFT JOIN sources s ON s.source_id = l.source_id
	WHERE l.role = 'holder' AND a.kind = 'bank'
	ORDER BY 1, 2, 3, 4, 5`

// LoadParties reads every party of the case with its attributes, in party id order. A
// value given by several sources is kept once, with its first provenance in file order.
func LoadParties(ctx context.Context, db *casedb.DB) ([]*Party, error) {
	rows, err := db.QueryContext(ctx, caseAttributes)
	if err != nil {
		return nil, fmt.Errorf("%w: read party attributes: %v", casedb.ErrInternal, err)
	}
	defer rows.Close()
	var out []*Party
	seen := map[[2]string]bool{}
	for rows.Next() {
		var id, kind, value, src string
		var rec int64
		if err := rows.Scan(&id, &kind, &value, &src, &rec); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, &Party{ID: id})
			clear(seen)
		}
		if k := [2]string{kind, value}; !seen[k] {
			seen[k] = true
			p := out[len(out)-1]
			p.Attrs = append(p.Attrs, Attr{Kind: kind, Value: value, Source: src, Record: rec})
		}
	}
	return out, rows.Err()
}

// LoadDecisions reads the investigator's decisions in the order made.
func LoadDecisions(ctx context.Context, db *casedb.DB) ([]Decision, error) {
	rows, err := db.QueryContext(ctx, `SELECT decision_no, action, party_id, coalesce(other_party_id, ''), author, decided_at, coalesce(note, '')
		FROM party_decisions ORDER BY decision_no`)
	if err != nil {
		return nil, fmt.Errorf("%w: read party decisions: %v", casedb.ErrInternal, err)
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.No, &d.Action, &d.Party, &d.Other, &d.Author, &d.At, &d.Note); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ResolveCase resolves the parties of a case with its decisions replayed.
func ResolveCase(ctx context.Context, db *casedb.DB, p Params) (Result, error) {
	ps, err := LoadParties(ctx, db)
	if err != nil {
		return Result{}, err
	}
	ds, err := LoadDecisions(ctx, db)
	if err != nil {
		return Result{}, err
	}
	return Resolve(ps, ds, p), nil
}

// Decide records a decision in the case, numbered after the last one, and returns it with
// its number. The parties must be in the case (by id, without the "party:" prefix, which is
// accepted and dropped); confirm, reject and merge name two different parties, split one.
func Decide(ctx context.Context, db *casedb.DB, d Decision) (Decision, error) {
	d.Party = strings.TrimPrefix(d.Party, "party:")
	d.Other = strings.TrimPrefix(d.Other, "party:")
	switch d.Action {
	case ActConfirm, ActReject, ActMerge:
		if d.Other == "" || d.Other == d.Party {
			return d, fmt.Errorf("%w: parties %s needs two different parties", casedb.ErrUsage, d.Action)
		}
	case ActSplit:
		if d.Other != "" {
			return d, fmt.Errorf("%w: parties split takes one party", casedb.ErrUsage)
		}
	default:
		return d, fmt.Errorf("%w: unknown decision %q (confirm, reject, merge or split)", casedb.ErrUsage, d.Action)
	}
	if strings.TrimSpace(d.Author) == "" {
		return d, fmt.Errorf("%w: a decision needs its author (--author)", casedb.ErrUsage)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return d, err
	}
	defer tx.Rollback()
	for _, id := range []string{d.Party, d.Other} {
		if id == "" {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM parties WHERE party_id = ?`, id).Scan(&n); err != nil {
			return d, err
		}
		if n == 0 {
			return d, fmt.Errorf("%w: no party %q in the case (see moneytrail parties)", casedb.ErrInput, id)
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(decision_no), 0) + 1 FROM party_decisions`).Scan(&d.No); err != nil {
		return d, err
	}
	if d.At.IsZero() {
		d.At = time.Now().UTC()
	}
	d.At = d.At.UTC().Truncate(time.Second)
	if _, err := tx.ExecContext(ctx, `INSERT INTO party_decisions VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.No, d.Action, d.Party, nullable(d.Other), d.Author, d.At, nullable(d.Note)); err != nil {
		return d, fmt.Errorf("%w: store decision: %v", casedb.ErrInternal, err)
	}
	return d, tx.Commit()
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
