package match

import (
	"context"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/table"
)

// Undisclosed lists the bank accounts without a statement in the case that pay to or are paid
// from statement accounts (the undisclosed_accounts view): per account and currency, the
// number of transactions, what the account received from statement accounts (credits) and
// paid to them (debits), the first and last booking and the statement accounts involved. These
// are the accounts whose statements an investigator has yet to ask the bank for. Largest
// totals first.
func Undisclosed(ctx context.Context, db *casedb.DB) (*table.Table, error) {
	return table.Query(ctx, db, `SELECT account_id, holder_name, bank, country, currency, txns, credit_count, debit_count,
		credits, debits, first_at, last_at, statement_accounts
		FROM undisclosed_accounts
		ORDER BY credits + debits DESC, account_id, currency`)
}

// Statements lists every statement period of the case per account in period order, with its
// reconciliation (opening + credits - debits = computed closing, difference from the stated
// closing) and its place in the account's chain (the statement_chain view): the previous
// statement's closing, whether this opening equals it, and the days since the previous period
// ended (gap_days 1 is contiguous, more is a gap, negative an overlap).
func Statements(ctx context.Context, db *casedb.DB) (*table.Table, error) {
	return table.Query(ctx, db, `SELECT source_id, file_name, statement_no, account_id, currency, period_start, period_end,
		opening, credits, debits, closing, computed_closing, difference, reconciled,
		previous_closing, chain_ok, gap_days, gap, overlap
		FROM statement_chain
		ORDER BY account_id, position`)
}

// Matches lists the recorded pairs: which transaction was kept, which marked its duplicate,
// by which rule and with what confidence.
func Matches(ctx context.Context, db *casedb.DB) (*table.Table, error) {
	return table.Query(ctx, db, `SELECT match_id, kept_txn_id, duplicate_txn_id, rule, confidence, amount_diff,
		diff_currency, days_apart, run_at, detail FROM matches ORDER BY match_id`)
}
