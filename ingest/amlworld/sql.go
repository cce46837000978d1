package amlworld

import (
	"fmt"
	"strings"
)

// The SQL below is the format's rules written for DuckDB, so that the loader can read a file
// of millions of rows with DuckDB's own CSV reader and still apply exactly the rules of Read
// (amlworld_test checks that both give the same records). It only builds text: nothing here
// touches a database.

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlMap(table [][2]string, expr string) string {
	var b strings.Builder
	b.WriteString("CASE " + expr)
	for _, kv := range table {
		b.WriteString(" WHEN " + sqlQuote(kv[0]) + " THEN " + sqlQuote(kv[1]))
	}
	b.WriteString(" END")
	return b.String()
}

// sqlAmount casts a validated amount text exactly: through DECIMAL(18,6) when it fits (the
// common case, about 40 times faster to parse than the 128-bit type) and directly otherwise.
func sqlAmount(expr, moneyType string) string {
	return "coalesce(CAST(TRY_CAST(" + expr + " AS DECIMAL(18,6)) AS " + moneyType + "), CAST(" + expr + " AS " + moneyType + "))"
}

// sqlMicros is an amount text's value in millionths as BIGINT, worked out from its digits:
// exact for a text that passes AmountPattern with at most 12 integer digits (NULL
// beyond), and about three times cheaper than scaling the 128-bit DECIMAL. It is only used
// where the amount passed the pattern.
func sqlMicros(expr string) string {
	whole, frac := `split_part(`+expr+`, '.', 1)`, `split_part(`+expr+`, '.', 2)`
	return `CASE WHEN length(` + whole + `) <= 12 THEN TRY_CAST(` + whole + ` AS BIGINT) * 1000000 + TRY_CAST(rpad(` + frac + `, 6, '0') AS BIGINT) END`
}

// TypedSQL converts a staged row's text fields once, in the parallel parse: NULL where a
// field breaks its rule. Amounts become moneyType, the case database's money type.
func TypedSQL(moneyType string) string {
	amount := func(c string) string {
		return `CASE WHEN regexp_full_match(` + c + `, '` + AmountPattern + `') THEN ` + sqlAmount(c, moneyType) + ` END`
	}
	return `try_strptime(c1, '` + TimeLayoutSQL + `') AS ts, ` + amount("c6") + ` AS a6, ` +
		sqlMap(Currencies, "c7") + ` AS cur7, ` + amount("c8") + ` AS a8, ` + sqlMicros("c8") + ` AS m8, ` +
		sqlMap(Currencies, "c9") + ` AS cur9, ` + sqlMap(Channels, "c10") + ` AS ch`
}

// CheckSQL is the SQL form of the row rules of Read, in the same order, over
// the typed columns: NULL for a good row, else "field|reason". nf is the number of fields,
// blank the condition of a blank line.
func CheckSQL(nf, blank string) string {
	n := fmt.Sprint(Fields)
	return `CASE
		WHEN ` + blank + ` THEN '|blank line'
		WHEN ` + nf + ` <> ` + n + ` THEN '|row has ' || ` + nf + ` || ' fields, header has ` + n + `'
		WHEN ts IS NULL THEN 'Timestamp|"' || c1 || '" is not a timestamp (2022/09/01 00:20)'
		WHEN c2 = '' OR c3 = '' THEN 'From Bank/Account|empty'
		WHEN c4 = '' OR c5 = '' THEN 'To Bank/Account|empty'
		WHEN a6 IS NULL THEN 'Amount Received|"' || c6 || '" is not an amount (digits, at most 6 decimals)'
		WHEN cur7 IS NULL THEN 'Receiving Currency|unknown currency "' || c7 || '"'
		WHEN a8 IS NULL THEN 'Amount Paid|"' || c8 || '" is not an amount (digits, at most 6 decimals)'
		WHEN a8 = 0 THEN 'Amount Paid|amount is zero'
		WHEN cur9 IS NULL THEN 'Payment Currency|unknown currency "' || c9 || '"'
		WHEN ch IS NULL THEN 'Payment Format|unknown payment format "' || c10 || '"'
		WHEN c11 NOT IN ('0', '1') THEN 'Is Laundering|"' || c11 || '" is neither 0 nor 1'
	END`
}

// AccountIDSQL is the SQL expression of the canonical account id of a bank and number.
func AccountIDSQL(bank, number string) string {
	return "'" + Scheme + ":' || " + bank + " || ':' || " + number
}
