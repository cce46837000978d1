package report

import (
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// Sheets are the workbook's sheet names in order (DESIGN.md §6; the per-party holdings get a
// sheet of their own so each sheet is one filterable table).
var Sheets = []string{"Summary", "Sources", "Findings", "Flows", "Positions", "Positions by party", "Exits",
	"Sensitivity", "Unexplained funds", "Method statement"}

// styles creates and caches the workbook's cell styles.
type styles struct {
	f      *excelize.File
	header int
	text   int
	wrap   int
	date   int
	time   int
	float  int
	money  map[string]int // by currency and precision
}

func (s *styles) moneyStyle(cur string, d decimal.Decimal) (int, error) {
	places := "0.00"
	if d.Exponent() < -2 && !d.Equal(d.Round(2)) {
		places = "0.00####"
	}
	key := cur + "|" + places
	if id, ok := s.money[key]; ok {
		return id, nil
	}
	code := "#,##" + places
	if cur != "" {
		code += ` [$` + cur + `]`
	}
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	s.money[key] = id
	return id, err
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{f: f, money: map[string]int{}}
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	dateFmt, timeFmt, floatFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "0.####"
	s.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}},
		Border: []excelize.Border{{Type: "bottom", Color: "7F8FA6", Style: 1}}})
	s.text = 0
	s.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	s.date = mk(&excelize.Style{CustomNumFmt: &dateFmt})
	s.time = mk(&excelize.Style{CustomNumFmt: &timeFmt})
	s.float = mk(&excelize.Style{CustomNumFmt: &floatFmt})
	return s, err
}

func writeWorkbook(path string, c *caseData) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	props := &excelize.DocProperties{Title: "moneytrail evidence", Creator: "moneytrail " + c.opt.ToolVersion,
		Description: "Evidence workbook of a moneytrail case: every figure leads to transactions, and each transaction to its file and line."}
	if c.trace != nil {
		props.Subject = "trace run " + c.trace.ID
		props.Created = strings.Replace(c.trace.StartedAt, " ", "T", 1) + "Z"
		props.Modified = props.Created
	}
	if err := f.SetDocProps(props); err != nil {
		return err
	}
	bySheet := map[string]*table{}
	for _, t := range c.tables() {
		if t.name != "summary" && t.name != "totals" {
			bySheet[t.sheet] = t
		}
	}
	for i, name := range Sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		if name == "Summary" {
			err = writeSummarySheet(sw, st, c)
		} else {
			err = writeTableSheet(sw, st, c.mask, bySheet[name], 1)
		}
		if err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.WriteTo(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeSummarySheet writes the facts (item, value) and below them the totals as a table.
func writeSummarySheet(sw *excelize.StreamWriter, st *styles, c *caseData) error {
	widths := []int{10, 10}
	for _, r := range c.summary.rows {
		widths[0] = max(widths[0], utf8.RuneCountInString(c.mask.Text(r[0].(string))))
		widths[1] = max(widths[1], utf8.RuneCountInString(c.mask.Text(r[1].(string))))
	}
	tw := tableWidths(c.totals, c.mask)
	tw[0], tw[1] = max(tw[0], widths[0]), max(tw[1], min(widths[1], 40))
	for i, w := range tw {
		if err := sw.SetColWidth(i+1, i+1, colWidth(w)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.header, Value: "Item"}, excelize.Cell{StyleID: st.header, Value: "Value"}}); err != nil {
		return err
	}
	row := 2
	for _, r := range c.summary.rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", row), []any{c.mask.Text(r[0].(string)), c.mask.Text(r[1].(string))}); err != nil {
			return err
		}
		row++
	}
	row++
	return writeTableSheet(sw, st, c.mask, c.totals, row)
}

// writeTableSheet writes t from row first on: a header row, the rows, an Excel table with
// filter buttons over them and, when the table starts the sheet, frozen header and widths.
func writeTableSheet(sw *excelize.StreamWriter, st *styles, m *masker, t *table, first int) error {
	if first == 1 {
		for i, w := range tableWidths(t, m) {
			if err := sw.SetColWidth(i+1, i+1, colWidth(w)); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	header := make([]any, len(t.cols))
	for i, c := range t.cols {
		header[i] = excelize.Cell{StyleID: st.header, Value: c.name}
	}
	cell, _ := excelize.CoordinatesToCellName(1, first)
	if err := sw.SetRow(cell, header); err != nil {
		return err
	}
	wrapCol := -1
	if t.name == "method_statement" {
		wrapCol = 1
	}
	for n, r := range t.rows {
		vals := make([]any, len(t.cols))
		for i, col := range t.cols {
			v, err := xlsxCell(st, m, t, i, col, r, i == wrapCol)
			if err != nil {
				return fmt.Errorf("row %d, %s: %w", n+1, col.name, err)
			}
			vals[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, first+1+n)
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(t.cols), first+max(len(t.rows), 1))
	return sw.AddTable(&excelize.Table{Range: "A" + fmt.Sprint(first) + ":" + last, Name: "t_" + t.name, StyleName: "TableStyleLight9"})
}

func xlsxCell(st *styles, m *masker, t *table, i int, col column, r []any, wrap bool) (any, error) {
	v := r[i]
	if v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case decimal.Decimal:
		id, err := st.moneyStyle(t.currency(i, r), x)
		if err != nil {
			return nil, err
		}
		if f, ok := excelNumber(x); ok {
			return excelize.Cell{StyleID: id, Value: f}, nil
		}
		// More digits than a spreadsheet number keeps: exact text rather than a changed amount.
		return moneyText(x), nil
	case string:
		s := m.cell(col.mask, x)
		if wrap {
			return excelize.Cell{StyleID: st.wrap, Value: s}, nil
		}
		return s, nil
	case float64:
		return excelize.Cell{StyleID: st.float, Value: x}, nil
	}
	switch col.kind {
	case kDate:
		return excelize.Cell{StyleID: st.date, Value: v}, nil
	case kTime:
		return excelize.Cell{StyleID: st.time, Value: v}, nil
	}
	return v, nil
}

// tableWidths is the widest text of each column, header included.
func tableWidths(t *table, m *masker) []int {
	w := make([]int, len(t.cols))
	for i, c := range t.cols {
		w[i] = utf8.RuneCountInString(c.name) + 3 // room for the filter button
	}
	for _, r := range t.rows {
		for i, c := range t.cols {
			n := utf8.RuneCountInString(m.maskedText(c, r[i]))
			switch c.kind {
			case kMoney:
				n += n/3 + 5 // thousands separators and the currency code
			case kTime:
				n = 19
			}
			w[i] = max(w[i], n)
		}
	}
	return w
}

// colWidth turns a character count into a column width, capped so a long evidence list or
// statement wraps instead of pushing everything else off screen.
func colWidth(n int) float64 {
	return float64(min(max(n, 6), 80)) + 1
}
