package ingest

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/moneytrail/moneytrail/ingest/ecbrates"
	"github.com/moneytrail/moneytrail/internal/canon"
	"github.com/moneytrail/moneytrail/internal/casedb"
)

// storeRates adds the staged rates to fx_rates. A fixing already stored with the same value is
// skipped; one stored with a different value is kept as it was and the new one quarantined, so
// a rate once used is never changed under the transactions that used it.
func storeRates(ctx context.Context, tx *sql.Tx, sid int64) ([]canon.RecordError, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.record, s.currency, strftime(s.day, '%Y-%m-%d'), s.rate, CAST(f.rate AS VARCHAR)
		FROM temp.stage_rate s JOIN fx_rates f ON f.day = s.day AND f.currency = s.currency AND f.base_currency = s.base_currency
		WHERE CAST(s.rate AS DECIMAL(38,10)) <> f.rate ORDER BY s.record, s.currency`)
	if err != nil {
		return nil, err
	}
	var errs []canon.RecordError
	for rows.Next() {
		var rec int64
		var cur, day, rate, old string
		if err := rows.Scan(&rec, &cur, &day, &rate, &old); err != nil {
			rows.Close()
			return nil, err
		}
		errs = append(errs, canon.RecordError{Record: int(rec), Field: cur, Raw: day + " " + cur + " " + rate,
			Reason: fmt.Sprintf("rate %s for %s on %s differs from the stored %s; the stored rate is kept", rate, cur, day, old)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, e := range errs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO quarantine VALUES (?, ?, ?, ?, ?)`, sid, e.Record, e.Raw, e.Field, e.Reason); err != nil {
			return nil, err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO fx_rates
		SELECT s.day, s.currency, s.base_currency, CAST(s.rate AS DECIMAL(38,10)), ?, ?
		FROM temp.stage_rate s
		WHERE NOT EXISTS (SELECT 1 FROM fx_rates f WHERE f.day = s.day AND f.currency = s.currency AND f.base_currency = s.base_currency)
		ORDER BY s.day, s.currency`, ecbrates.SourceName, sid)
	if err != nil {
		return nil, fmt.Errorf("store rates: %w", err)
	}
	return errs, nil
}

// fxQuotes gives, for the case base currency B, every fixing as "units of currency C per one
// B" in exact integers scaled by 10^10 (num/den), whether quoted against B directly, against
// another quote currency Q (cross rate C/Q over B/Q on the same day), or as B's own quote.
const fxQuotes = `
WITH r AS (SELECT day, currency, base_currency, CAST(rate * 10000000000 AS HUGEINT) AS e10 FROM fx_rates),
q AS (
	SELECT day, currency, e10 AS num, CAST(10000000000 AS HUGEINT) AS den FROM r WHERE base_currency = $base
	UNION ALL
	SELECT c.day, c.currency, c.e10, b.e10 FROM r c JOIN r b ON b.day = c.day AND b.base_currency = c.base_currency
		AND b.currency = $base WHERE c.base_currency <> $base AND c.currency <> $base
	UNION ALL
	SELECT day, base_currency, CAST(10000000000 AS HUGEINT), e10 FROM r WHERE currency = $base AND base_currency <> $base)
SELECT day, currency, num, den FROM q`

// applyFX sets base_amount (and base_micros with it), fx_rate and fx_date on transactions matching scope (an SQL
// condition written by this package, never user text): amounts already in the base currency
// as they are; others at the booking day's rate or the last earlier fixing's, rounded to the
// cent half away from zero from exact integers. A money-transfer pay-out (and the charge
// deducted at it) takes the rate of its transfer's send day: it empties the receiver's
// operator account of the value the send put there, to the cent, whatever the fixing on the
// pay-out day (which would leave a revaluation in the account, traced as unexplained funds). Transactions without a rate keep a NULL
// base_amount and show in the fx_missing view. It returns how many in scope have no rate.
func applyFX(ctx context.Context, tx *sql.Tx, scope string) (int64, error) {
	var base string
	if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'base_currency'`).Scan(&base); err != nil {
		return 0, fmt.Errorf("case base currency: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE transactions SET base_amount = amount, base_micros = `+casedb.MicrosOf("amount")+`, base_currency = $base,
		fx_rate = 1, fx_date = CAST(booked_at AS DATE) WHERE currency = $base AND base_amount IS NULL AND (`+scope+`)`, sql.Named("base", base)); err != nil {
		return 0, fmt.Errorf("base amounts: %w", err)
	}
	var rates int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM fx_rates LIMIT 1)`).Scan(&rates); err != nil {
		return 0, err
	}
	if rates > 0 {
		_, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE fx_todo AS
		WITH quotes AS (`+fxQuotes+`),
		due AS (SELECT txn_id, booked_at, channel, currency, amount
			FROM transactions WHERE currency <> $base AND base_amount IS NULL AND (`+scope+`)),
		todo AS (SELECT d.txn_id, CAST(coalesce(s.booked_at, d.booked_at) AS DATE) AS d, d.currency, CAST(d.amount * 1000000 AS HUGEINT) AS micro
			FROM due d LEFT JOIN transactions s ON d.channel IN ('mto_payout', 'fee') AND s.channel = 'mto_send'
				AND s.txn_id = regexp_replace(d.txn_id, ':payout(-fee)?$', ''))
		SELECT t.txn_id, q.day, q.num, q.den,
			-- cents = micro * den / (num * 10^4), rounded half away from zero
			CAST((2 * t.micro * q.den + q.num * 10000) // (2 * q.num * 10000) AS HUGEINT) AS cents
		FROM todo t ASOF JOIN quotes q ON q.currency = t.currency AND t.d >= q.day`, sql.Named("base", base))
		if err != nil {
			return 0, fmt.Errorf("fx lookup: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE transactions t SET base_amount = CAST(f.cents AS DECIMAL(38,0)) * 0.01,
		base_micros = TRY_CAST(f.cents * 10000 AS BIGINT), base_currency = $base, fx_rate = CAST(f.num * 10000000000 // f.den AS DECIMAL(38,0)) * 0.0000000001, fx_date = f.day
		FROM temp.fx_todo f WHERE t.txn_id = f.txn_id`, sql.Named("base", base)); err != nil {
			return 0, fmt.Errorf("apply fx: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.fx_todo`); err != nil {
			return 0, err
		}
	}
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM transactions WHERE base_amount IS NULL AND (`+scope+`)`).Scan(&n)
	return n, err
}
