package ingest

import (
	"context"
	"fmt"
	"io"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/ingest/ledger"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
)

// Sources lists every ingested file with its provenance, counts and statement check.
func Sources(ctx context.Context, db *casedb.DB) (*table.Table, error) {
	return table.Query(ctx, db, `SELECT source_id, file_name, format, profile, records, loaded, quarantined,
		statement_account, period_start, period_end, opening_balance, closing_balance, reconciled, sha256, bytes, path
		FROM sources ORDER BY source_id`)
}

// Accounts lists the accounts of the case with their transaction counts, optionally only
// those of one kind.
func Accounts(ctx context.Context, db *casedb.DB, kind string) (*table.Table, error) {
	return table.Query(ctx, db, `WITH n AS (
			SELECT account_id, count(*) FILTER (WHERE dir = 'in') AS credits, count(*) FILTER (WHERE dir = 'out') AS debits
			FROM (SELECT to_account AS account_id, 'in' AS dir FROM txns UNION ALL SELECT from_account, 'out' FROM txns)
			GROUP BY account_id)
		SELECT a.account_id, a.kind, a.holder_name, a.bank, a.country, a.currency, a.has_statement,
			coalesce(n.credits, 0) AS credits, coalesce(n.debits, 0) AS debits, a.opening_balance
		FROM accounts a LEFT JOIN n USING (account_id)
		WHERE ? = '' OR a.kind = ?
		ORDER BY a.account_id`, kind, kind)
}

// Quarantine lists quarantined records and, after them, the records loaded with a warning
// (outcome "loaded, warning": a field problem that did not stop the record, such as a
// counterparty IBAN failing its check), of one source or (sourceID 0) of all. line is the
// record's number in its source: the line for line-based formats, the entry ordinal for
// XML ones, whose reasons also give the entry's line.
func Quarantine(ctx context.Context, db *casedb.DB, sourceID int64) (*table.Table, error) {
	return table.Query(ctx, db, `SELECT source_id, file_name, outcome, line, field, reason, raw FROM (
			SELECT q.source_id, s.file_name, 'quarantined' AS outcome, q.record AS line, q.field, q.reason, q.raw, 0 AS k
			FROM quarantine q JOIN sources s USING (source_id)
			UNION ALL
			SELECT n.source_id, s.file_name, 'loaded, warning', n.record,
				CASE WHEN n.note LIKE 'field %: %' THEN split_part(substr(n.note, 7), ': ', 1) END,
				CASE WHEN n.note LIKE 'field %: %' THEN substr(n.note, 7 + length(split_part(substr(n.note, 7), ': ', 1)) + 2) ELSE n.note END,
				n.raw, 1
			FROM source_notes n JOIN sources s USING (source_id) WHERE n.kind = 'warning')
		WHERE ? = 0 OR source_id = ?
		ORDER BY source_id, k, line, field`, sourceID, sourceID)
}

// ExportLedger writes every transaction of the case (duplicates excluded) as ledger CSV, in
// replay order (booked_at, seq).
func ExportLedger(ctx context.Context, db *casedb.DB, w io.Writer) error {
	rows, err := db.QueryContext(ctx, `SELECT txn_id, booked_at, from_account, to_account, CAST(amount AS VARCHAR),
		currency, channel, coalesce(reference, '') FROM txns ORDER BY booked_at, seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	lw := ledger.NewWriter(w)
	for rows.Next() {
		var r ledger.Row
		var amt string
		if err := rows.Scan(&r.TxnID, &r.BookedAt, &r.From, &r.To, &amt, &r.Currency, &r.Channel, &r.Reference); err != nil {
			return err
		}
		d, err := decimal.NewFromString(amt)
		if err != nil {
			return fmt.Errorf("transaction %s: amount %q: %w", r.TxnID, amt, err)
		}
		r.Amount = d
		if err := lw.Write(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return lw.Flush()
}
