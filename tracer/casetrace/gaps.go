package casetrace

import (
	"database/sql"
	"fmt"
	"time"
)

// ManifestGap is a break in the statements of an account in the scope (the statement_chain
// view): a missing period between two statements, or a statement opening with another balance
// than the previous one closed with. Either is a gap to request from the bank. The replay does
// not bridge it: money that came in unseen shows up as unexplained funds at the first payment
// that needs it, money that went out unseen stays in the account's lots.
type ManifestGap struct {
	Account string `json:"account"`
	// After and Before are the files of the statements on either side.
	After  string `json:"after"`
	Before string `json:"before"`
	// From and To are the days no statement covers (YYYY-MM-DD); empty when the statements
	// are contiguous and only the balances differ.
	From string `json:"missing_from,omitempty"`
	To   string `json:"missing_to,omitempty"`
	// PreviousClosing and Opening are the balances on either side, Change the second less
	// the first ("" where a statement gives no balance).
	PreviousClosing string `json:"previous_closing,omitempty"`
	Opening         string `json:"opening,omitempty"`
	Change          string `json:"change,omitempty"`
	Currency        string `json:"currency,omitempty"`
}

// StatementGaps lists the breaks in the statements of the accounts in the scope, by account
// and period (the manifest's statement_gaps).
func (out *Outcome) StatementGaps() []ManifestGap { return out.Manifest.StatementGaps }

// noteGaps puts the breaks in the statements of the accounts in the scope in the manifest.
func (t *run) noteGaps() error {
	in := map[string]bool{}
	for i := range t.real {
		if t.inScope[i] && !t.out.accounts[i].exitKind {
			in[t.out.names.id(int32(i))] = true
		}
	}
	if len(in) == 0 {
		return nil
	}
	rows, err := t.conn.QueryContext(t.ctx, `SELECT c.account_id, p.file_name, c.file_name, c.previous_end, c.period_start,
			CAST(c.previous_closing AS VARCHAR), CAST(c.opening AS VARCHAR), CAST(c.opening - c.previous_closing AS VARCHAR),
			coalesce(c.currency, ''), c.gap
		FROM statement_chain c JOIN sources p ON p.source_id = c.previous_source_id
		WHERE c.position > 1 AND (c.gap OR NOT coalesce(c.chain_ok, true))
		ORDER BY c.account_id, c.position`)
	if err != nil {
		return fmt.Errorf("statement gaps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g ManifestGap
		var prevEnd, start sql.NullTime
		var prev, open, change sql.NullString
		var gap bool
		if err := rows.Scan(&g.Account, &g.After, &g.Before, &prevEnd, &start, &prev, &open, &change, &g.Currency, &gap); err != nil {
			return fmt.Errorf("statement gaps: %w", err)
		}
		if !in[g.Account] {
			continue
		}
		if gap && prevEnd.Valid && start.Valid {
			g.From = prevEnd.Time.AddDate(0, 0, 1).Format(time.DateOnly)
			g.To = start.Time.AddDate(0, 0, -1).Format(time.DateOnly)
		}
		g.PreviousClosing, g.Opening = decimalText(prev), decimalText(open)
		if c := decimalText(change); c != "0.00" {
			g.Change = c
		}
		t.out.Manifest.StatementGaps = append(t.out.Manifest.StatementGaps, g)
	}
	return rows.Err()
}

// decimalText writes a DECIMAL(38,6) as text with two decimals when it has no more ("" for NULL).
func decimalText(s sql.NullString) string {
	if !s.Valid {
		return ""
	}
	v := s.String
	for len(v) > 0 && v[len(v)-1] == '0' && len(v)-indexDot(v) > 3 {
		v = v[:len(v)-1]
	}
	return v
}

func indexDot(s string) int {
	for i := range s {
		if s[i] == '.' {
			return i
		}
	}
	return len(s)
}
