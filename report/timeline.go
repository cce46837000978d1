package report

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// bucket is one bar of the timeline: tainted money per kind of hop in one period.
type bucket struct {
	start                 time.Time
	seeded, moved, exited int64
}

// timeline buckets the tainted hops of the report's method by day, week or month (whichever
// keeps the bars countable): seed credits, moves between traced accounts, and exits.
func (c *caseData) timeline() (unit string, bs []bucket) {
	seeds := map[string]bool{}
	for _, s := range c.manifest.Seeds {
		for _, id := range s.TxnIDs {
			seeds[id] = true
		}
	}
	exits := map[string]bool{}
	for _, r := range c.exits.rows {
		if r[0] == c.method {
			exits[r[1].(string)] = true
		}
	}
	ft := c.flows
	iM, iT, iTo, iO, iA, iB := ft.col("method"), ft.col("txn_id"), ft.col("to_account"), ft.col("origin"), ft.col("amount"), ft.col("booked_at")
	var first, last time.Time
	for _, r := range ft.rows {
		if r[iM] != c.method || !isTainted(r[iO].(string)) {
			continue
		}
		t, _ := r[iB].(time.Time)
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	if first.IsZero() {
		return "day", nil
	}
	span := last.Sub(first).Hours() / 24
	unit = "day"
	trunc := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	next := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	switch {
	case span > 730:
		unit = "month"
		trunc = func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	case span > 92:
		unit = "week"
		trunc = func(t time.Time) time.Time {
			d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		}
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	}
	index := map[time.Time]int{}
	for t := trunc(first); !t.After(last); t = next(t) {
		index[t] = len(bs)
		bs = append(bs, bucket{start: t})
	}
	for _, r := range ft.rows {
		if r[iM] != c.method || !isTainted(r[iO].(string)) {
			continue
		}
		b := &bs[index[trunc(r[iB].(time.Time))]]
		a := cents(r[iA].(decimal.Decimal))
		switch {
		case seeds[r[iT].(string)]:
			b.seeded += a
		case exits[r[iTo].(string)]:
			b.exited += a
		default:
			b.moved += a
		}
	}
	return unit, bs
}

// timelineSVG draws the buckets as stacked bars with a date axis.
func timelineSVG(unit string, bs []bucket, currency string) string {
	const w, h, left, bottom, top = 900, 230, 70, 40, 16
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline" data-buckets="%d" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="timeline of the proceeds">`,
		len(bs), w, h, w, h)
	if len(bs) == 0 {
		b.WriteString(`<text x="20" y="40">no tainted hops to show</text></svg>`)
		return b.String()
	}
	var peak int64 = 1
	for _, x := range bs {
		peak = max(peak, x.seeded+x.moved+x.exited)
	}
	plotH := float64(h - bottom - top)
	bw := float64(w-left-10) / float64(len(bs))
	y := func(c int64) float64 { return float64(h-bottom) - plotH*float64(c)/float64(peak) }
	for _, f := range []float64{0, 0.5, 1} {
		v := int64(float64(peak) * f)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/><text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`,
			left, w-10, y(v), y(v), left-6, y(v)+4, html.EscapeString(groupThousands(centsText(v/100*100))))
	}
	step := max(1, len(bs)/8)
	for i, x := range bs {
		x0 := float64(left) + float64(i)*bw
		base := int64(0)
		for _, part := range []struct {
			cls string
			c   int64
		}{{"seeded", x.seeded}, {"moved", x.moved}, {"exited", x.exited}} {
			if part.c == 0 {
				continue
			}
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, part.cls, x0+bw*0.1, y(base+part.c), bw*0.8, y(base)-y(base+part.c))
			base += part.c
		}
		fmt.Fprintf(&b, `<rect class="hit" x="%.1f" y="%d" width="%.1f" height="%.1f"><title>%s %s: seed credits %s, moved %s, exited %s %s</title></rect>`,
			x0, top, bw, plotH, unit, x.start.Format(time.DateOnly), groupThousands(centsText(x.seeded)),
			groupThousands(centsText(x.moved)), groupThousands(centsText(x.exited)), html.EscapeString(currency))
		if i%step == 0 {
			fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x0+bw/2, h-bottom+16, x.start.Format(time.DateOnly))
		}
	}
	fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d">per %s, %s</text>`, left, h-6, unit, html.EscapeString(currency))
	b.WriteString(`</svg>`)
	return b.String()
}
