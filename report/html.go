package report

import (
	_ "embed"
	"html/template"
	"strings"

	"github.com/shopspring/decimal"
)

//go:embed report.html.tmpl
var htmlTemplate string

var pageTemplate = template.Must(template.New("report").Parse(htmlTemplate))

// htmlRowLimit caps the rows of one HTML table; the workbook and the CSV files have them all.
const htmlRowLimit = 2000

type htmlLabel struct{ Label, Value string }

type htmlHead struct {
	Text string
	Num  bool
}

type htmlCell struct {
	Text, Sort string
	Num, Ev    bool
}

type htmlTable struct {
	ID, Title, Note string
	Head            []htmlHead
	Rows            [][]htmlCell
	Count, Shown    int
	Cut, Open       bool
}

type htmlPage struct {
	Title, Subtitle, ToolVersion, Method, TimelineUnit string
	Masked                                             bool
	Cards, Facts, Digests                              []htmlLabel
	Totals                                             *htmlTable
	Tables                                             []*htmlTable
	Diagram, Timeline                                  template.HTML
	Grouped                                            int
}

func (c *caseData) htmlTable(t *table, open bool) *htmlTable {
	ht := &htmlTable{ID: t.name, Title: t.title, Note: t.note, Count: len(t.rows), Open: open}
	for _, col := range t.cols {
		h := htmlHead{Text: col.name, Num: col.kind == kMoney || col.kind == kInt || col.kind == kFloat}
		if col.kind == kMoney && col.cur != "" {
			h.Text += " (" + col.cur + ")"
		}
		ht.Head = append(ht.Head, h)
	}
	rows := t.rows
	if len(rows) > htmlRowLimit {
		rows, ht.Cut = rows[:htmlRowLimit], true
	}
	ht.Shown = len(rows)
	for _, r := range rows {
		cells := make([]htmlCell, len(t.cols))
		for i, col := range t.cols {
			s := c.mask.maskedText(col, r[i])
			cell := htmlCell{Text: s, Ev: col.name == "evidence_txns" || col.name == "evidence" || col.name == "evidence_sources" || col.name == "statement"}
			switch col.kind {
			case kMoney, kInt, kFloat:
				cell.Num, cell.Sort = true, s
				if d, ok := r[i].(decimal.Decimal); ok {
					cell.Text = groupThousands(moneyText(d))
					if cur := t.currency(i, r); cur != "" && col.cur == "" {
						cell.Text += " " + cur
					}
				}
			}
			cells[i] = cell
		}
		ht.Rows = append(ht.Rows, cells)
	}
	return ht
}

func (c *caseData) writeHTML(w *strings.Builder) error {
	p := &htmlPage{Title: "Money trail: evidence report", ToolVersion: c.opt.ToolVersion, Method: c.method, Masked: c.opt.Mask}
	var sub []string
	if c.trace != nil {
		sub = append(sub, "trace run "+c.trace.ID, "method "+c.method)
		if c.manifest.AsOf != "" {
			sub = append(sub, "as of "+c.manifest.AsOf)
		}
		p.Digests = append(p.Digests, htmlLabel{"trace manifest SHA-256", digest(c.trace.ManifestJSON)})
	}
	if c.rules != nil {
		sub = append(sub, "rules run "+c.rules.ID)
		p.Digests = append(p.Digests, htmlLabel{"rules manifest SHA-256", digest(c.rules.ManifestJSON)})
	}
	p.Subtitle = strings.Join(sub, " · ")
	for _, r := range c.summary.rows {
		p.Facts = append(p.Facts, htmlLabel{c.mask.Text(r[0].(string)), c.mask.Text(r[1].(string))})
	}
	if c.trace != nil {
		cur := c.manifest.Currency
		sums := map[string]int64{}
		for _, r := range c.totals.rows {
			if r[0] != c.method {
				continue
			}
			for _, n := range []string{"traced", "held", "exited"} {
				sums[n] += cents(r[c.totals.col(n)].(decimal.Decimal))
			}
		}
		var unexplained int64
		for _, r := range c.unexplained.rows {
			unexplained += cents(r[2].(decimal.Decimal))
		}
		p.Cards = []htmlLabel{
			{"Traced", groupThousands(centsText(sums["traced"])) + " " + cur},
			{"Held in accounts", groupThousands(centsText(sums["held"])) + " " + cur},
			{"Left through exits", groupThousands(centsText(sums["exited"])) + " " + cur},
			{"Unexplained funds", groupThousands(centsText(unexplained)) + " " + cur},
		}
		p.Totals = c.htmlTable(c.totals, true)
		d := layout(c.graph(), c.opt.MaxNodes)
		p.Grouped = d.grouped
		p.Diagram = template.HTML(d.svg(cur, func(s string) string { return s }))
		unit, bs := c.timeline()
		p.TimelineUnit = unit
		p.Timeline = template.HTML(timelineSVG(unit, bs, cur))
	}
	for _, t := range []*table{c.positions, c.parties, c.exits, c.flows, c.findings, c.sensitivity, c.unexplained, c.sources, c.statement} {
		open := t == c.positions || t == c.parties || t == c.exits || (t == c.findings && c.trace == nil)
		p.Tables = append(p.Tables, c.htmlTable(t, open))
	}
	return pageTemplate.Execute(w, p)
}
