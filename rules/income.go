package rules

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// IncomeHeader is the header of a declared-income CSV file.
const IncomeHeader = "party_id,year,amount,currency"

// LoadDeclaredIncome reads a CSV file of declared income (header party_id,year,amount,currency,
// optionally followed by a source column) into the declared_income table, replacing the rows
// an earlier load of a file with the same name stored. Every bad line is reported (with its
// line number) and nothing is stored then; errors wrap casedb.ErrInput. It returns the number
// of rows stored.
func LoadDeclaredIncome(ctx context.Context, db *casedb.DB, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", casedb.ErrInput, err)
	}
	defer f.Close()
	name := filepath.Base(path)
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return 0, fmt.Errorf("%w: %s: no header: %w", casedb.ErrInput, name, err)
	}
	for i := range head {
		head[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(head[i], "\ufeff")))
	}
	if len(head) < 4 || strings.Join(head[:4], ",") != IncomeHeader || len(head) > 5 || len(head) == 5 && head[4] != "source" {
		return 0, fmt.Errorf("%w: %s: header %q: want %s[,source]", casedb.ErrInput, name, strings.Join(head, ","), IncomeHeader)
	}
	var party, year, amount, cur, src []string
	var errs []error
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			continue
		}
		if len(rec) != len(head) {
			errs = append(errs, fmt.Errorf("%s:%d: %d fields, want %d", name, line, len(rec), len(head)))
			continue
		}
		p := strings.TrimSpace(rec[0])
		y, yerr := strconv.Atoi(strings.TrimSpace(rec[1]))
		a, aerr := decimal.NewFromString(strings.TrimSpace(rec[2]))
		c := strings.ToUpper(strings.TrimSpace(rec[3]))
		switch {
		case p == "":
			errs = append(errs, fmt.Errorf("%s:%d: party_id is empty", name, line))
		case yerr != nil || y < 1900 || y > 2200:
			errs = append(errs, fmt.Errorf("%s:%d: year %q: want a four-digit year", name, line, rec[1]))
		case aerr != nil || strings.ContainsAny(rec[2], "eE,"):
			errs = append(errs, fmt.Errorf("%s:%d: amount %q: want digits with a dot", name, line, rec[2]))
		case len(c) != 3:
			errs = append(errs, fmt.Errorf("%s:%d: currency %q: want a three-letter code", name, line, rec[3]))
		default:
			s := name
			if len(rec) == 5 && strings.TrimSpace(rec[4]) != "" {
				s = name + ": " + strings.TrimSpace(rec[4])
			}
			party, year, amount, cur, src = append(party, p), append(year, strconv.Itoa(y)), append(amount, a.String()), append(cur, c), append(src, s)
		}
	}
	if len(errs) > 0 {
		return 0, fmt.Errorf("%w: declared income: %w", casedb.ErrInput, errors.Join(errs...))
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM declared_income WHERE source = ? OR source LIKE ? || ': %'`, name, name); err != nil {
		return 0, err
	}
	if len(party) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO declared_income SELECT unnest($1::VARCHAR[]), CAST(unnest($2::VARCHAR[]) AS INTEGER),
			CAST(unnest($3::VARCHAR[]) AS DECIMAL(38,6)), unnest($4::VARCHAR[]), unnest($5::VARCHAR[])`, party, year, amount, cur, src); err != nil {
			return 0, err
		}
	}
	return len(party), tx.Commit()
}
