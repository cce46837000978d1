package casetrace

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moneytrail/moneytrail/tracer"
)

// WriteDir writes the trace's files into dir (created if needed): positions.csv, flows.csv,
// summary.csv, unexplained.csv and manifest.json, and with more than one method a first column
// "method" in the tables and sensitivity.csv. Amounts are exact decimals with two places;
// the files do not depend on when the trace ran.
func (out *Outcome) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if out.back != nil {
		return out.writeBackward(dir)
	}
	multi := len(out.Manifest.Methods) > 1
	withMethod := func(method string, rec ...string) []string {
		if multi {
			return append([]string{method}, rec...)
		}
		return rec
	}
	files := []struct {
		name string
		rows func(w *csv.Writer) error
	}{
		{"positions.csv", func(w *csv.Writer) error {
			w.Write(withMethod("method", "holder", "holder_kind", "origin", "amount"))
			for _, r := range out.Positions() {
				w.Write(withMethod(r.Method, r.Holder, r.HolderKind, r.Origin, formatCents(r.Cents)))
			}
			return nil
		}},
		{"flows.csv", func(w *csv.Writer) error {
			w.Write(withMethod("method", "txn_id", "booked_at", "from_account", "to_account", "origin", "amount"))
			for _, r := range out.Flows() {
				w.Write(withMethod(r.Method, r.TxnID, r.BookedAt.Format("2006-01-02T15:04:05.999999"), r.From, r.To, r.Origin, formatCents(r.Cents)))
			}
			return nil
		}},
		{"summary.csv", func(w *csv.Writer) error {
			w.Write(withMethod("method", "origin", "seeds", "amount", "traced", "held", "exited", "exited_cash", "exited_external",
				"exited_asset", "exited_other", "held_with_unexplained"))
			for _, r := range out.Summary() {
				w.Write(withMethod(r.Method, r.Origin, r.Seeds, formatCents(r.Credit), formatCents(r.Traced), formatCents(r.Held),
					formatCents(r.Exited()), formatCents(r.ExitedCash), formatCents(r.ExitedExternal), formatCents(r.ExitedAsset),
					formatCents(r.ExitedOther), formatCents(r.HeldWithUnexplained)))
			}
			return nil
		}},
		{"unexplained.csv", func(w *csv.Writer) error {
			w.Write([]string{"account", "amount", "debits"})
			for _, r := range out.Unexplained() {
				w.Write([]string{r.Account, formatCents(r.Cents), fmt.Sprint(r.Debits)})
			}
			return nil
		}},
	}
	if multi {
		files = append(files, struct {
			name string
			rows func(w *csv.Writer) error
		}{"sensitivity.csv", func(w *csv.Writer) error {
			w.Write(append([]string{"origin", "holder", "holder_kind"}, out.Manifest.Methods...))
			for _, r := range out.Sensitivity() {
				rec := []string{r.Origin, r.Holder, r.HolderKind}
				for _, c := range r.Cents {
					rec = append(rec, sensitivityCell(c))
				}
				w.Write(rec)
			}
			return nil
		}})
	}
	for _, f := range files {
		if err := writeCSV(filepath.Join(dir, f.name), f.rows); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), out.ManifestJSON(), 0o644)
}

func writeCSV(path string, rows func(w *csv.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)
	err = rows(w)
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeBackward writes a backward trace's files: composition.csv (method, origin, amount,
// share), unexplained.csv, manifest.json and, with more than one method, sensitivity.csv.
func (out *Outcome) writeBackward(dir string) error {
	err := writeCSV(filepath.Join(dir, "composition.csv"), func(w *csv.Writer) error {
		w.Write([]string{"method", "origin", "amount", "share"})
		for _, r := range out.Composition() {
			w.Write([]string{r.Method, r.Origin, formatCents(r.Cents), r.Share})
		}
		return nil
	})
	if err == nil {
		err = writeCSV(filepath.Join(dir, "unexplained.csv"), func(w *csv.Writer) error {
			w.Write([]string{"account", "amount", "debits"})
			for _, r := range out.Unexplained() {
				w.Write([]string{r.Account, formatCents(r.Cents), fmt.Sprint(r.Debits)})
			}
			return nil
		})
	}
	if err == nil && len(out.Manifest.Methods) > 1 {
		err = writeCSV(filepath.Join(dir, "sensitivity.csv"), func(w *csv.Writer) error {
			w.Write(append([]string{"origin", "holder", "holder_kind"}, out.Manifest.Methods...))
			for _, r := range out.Sensitivity() {
				rec := []string{r.Origin, r.Holder, r.HolderKind}
				for _, c := range r.Cents {
					rec = append(rec, formatCents(c))
				}
				w.Write(rec)
			}
			return nil
		})
	}
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), out.ManifestJSON(), 0o644)
}

// sensitivityCell is a sensitivity figure, empty when the method did not compute it.
func sensitivityCell(c int64) string {
	if c == tracer.NotReplayed {
		return ""
	}
	return formatCents(c)
}
