package casetrace

import (
	"fmt"
	"strings"
	"time"

	"github.com/moneytrail/moneytrail/tracer"
)

// pageRows is the number of transactions a page of the replay stream aims at (a variable for
// tests). DuckDB materialises an ordered result before the first row reaches Go, so one query
// over a whole case would hold every row inside DuckDB; pages of about a million rows (some
// 100 MB inside DuckDB) keep the stream's memory independent of the size of the case.
var pageRows int64 = 1 << 20

// histogramBuckets is the number of equal time buckets counted to cut the pages.
const histogramBuckets = 4096

// page is one time range of the replay stream, [lo, hi) in Unix microseconds; open is set
// for the first page (no lower bound) and the last (no upper bound).
type page struct {
	lo, hi         int64
	openLo, openHi bool
	rows           int64
}

// where is the page's condition on booked_at. Bounds are timestamp literals so that DuckDB
// can skip row groups by their min/max (cases are mostly loaded in time order).
// With a same-day order that delays events (replayAt is then not booked_at), the bounds are
// on the replay time, and booked_at keeps an upper bound for the skipping (an event never
// replays before it was booked).
func (p page) where(replayAt string) string {
	var b strings.Builder
	if replayAt != `epoch_us(t.booked_at)` {
		if !p.openLo {
			fmt.Fprintf(&b, ` AND %s >= %d`, replayAt, p.lo)
		}
		if !p.openHi {
			fmt.Fprintf(&b, ` AND %s < %d AND t.booked_at < TIMESTAMP '%s'`, replayAt, p.hi, sqlTime(p.hi))
		}
		return b.String()
	}
	if !p.openLo {
		fmt.Fprintf(&b, ` AND t.booked_at >= TIMESTAMP '%s'`, sqlTime(p.lo))
	}
	if !p.openHi {
		fmt.Fprintf(&b, ` AND t.booked_at < TIMESTAMP '%s'`, sqlTime(p.hi))
	}
	return b.String()
}

func sqlTime(us int64) string { return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.000000") }

// pages cuts the replayable transactions (replayFilter) into time ranges of about pageRows
// rows each, in time order, from a count per time bucket; a bucket is never split, so rows
// with equal timestamps share a page. It returns one open page when the case is small.
func (t *run) pages() ([]page, error) {
	if t.pageList != nil {
		return t.pageList, nil
	}
	where := t.replayFilter()
	var n int64
	var lo, hi *int64
	if err := t.conn.QueryRowContext(t.ctx, `SELECT count(*), min(epoch_us(t.booked_at)), max(epoch_us(t.booked_at))
		FROM transactions t WHERE `+where).Scan(&n, &lo, &hi); err != nil {
		return nil, fmt.Errorf("count transactions: %w", err)
	}
	t.pageList = []page{{openLo: true, openHi: true, rows: n}}
	if n <= pageRows || lo == nil || *hi == *lo {
		return t.pageList, nil
	}
	width := (*hi-*lo)/histogramBuckets + 1
	rows, err := t.conn.QueryContext(t.ctx, fmt.Sprintf(`SELECT count(*), min(epoch_us(t.booked_at))
		FROM transactions t WHERE %s GROUP BY (epoch_us(t.booked_at) - %d) // %d ORDER BY 2`, where, *lo, width))
	if err != nil {
		return nil, fmt.Errorf("count transactions: %w", err)
	}
	defer rows.Close()
	var ps []page
	cur := page{openLo: true}
	for rows.Next() {
		var c, at int64
		if err := rows.Scan(&c, &at); err != nil {
			return nil, err
		}
		if cur.rows > 0 && cur.rows+c > pageRows {
			cur.hi = at // the bucket's first time
			ps = append(ps, cur)
			cur = page{lo: cur.hi}
		}
		cur.rows += c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cur.openHi = true
	t.pageList = append(ps, cur)
	t.movePages(t.pageList)
	return t.pageList, nil
}

// replayRows is the number of rows the pages hold (0 before pages is called).
func (t *run) replayRows() int64 {
	var n int64
	for _, p := range t.pageList {
		n += p.rows
	}
	return n
}

// replayFilter is the WHERE clause of every replay query: non-duplicate, booked transactions
// up to as-of.
func (t *run) replayFilter() string {
	var b strings.Builder
	b.WriteString(`t.duplicate_of IS NULL AND NOT t.pending`)
	if t.out.asOfEnd != nil {
		fmt.Fprintf(&b, ` AND t.booked_at <= make_timestamp(CAST(%d AS BIGINT))`, *t.out.asOfEnd)
	}
	return b.String()
}

// streamQuery selects the replay columns of one page: k (rowid), f and tt (the stored
// account numbers, 0 when missing), c (the amount expression cents), at (the replay time in
// Unix microseconds: booked_at, or later for an event the same-day order holds back) and,
// when label is not empty, lb (the inflow label), ordered by order.
func (t *run) streamQuery(cents, label, where, order string) string {
	if label != "" {
		label = `, CAST(` + label + ` AS INTEGER) AS lb`
	}
	from := `transactions t`
	if t.ordered() {
		from += ` LEFT JOIN mt_order o ON o.k = t.rowid`
	}
	return `SELECT t.rowid AS k, coalesce(t.from_no, 0) AS f, coalesce(t.to_no, 0) AS tt, ` + cents + ` AS c, ` + t.replayAt() + ` AS at` + label + `
		FROM ` + from + `
		WHERE ` + where + `
		ORDER BY ` + order
}

// centsExpr is the amount column in millionths (micro-units): base_micros, stored beside
// base_amount, or the transaction's own amount converted (exact for DECIMAL(38,6)). The
// engine's cents are rounded from it in Go (see toCents), which also counts the amounts with
// fractions of a cent without a second pass over a DECIMAL column.
func (t *run) centsExpr() string {
	if t.amountCol == "amount" {
		return `CAST(t.amount * 1000000 AS BIGINT)`
	}
	if t.nulls > 0 {
		// Rows without a base amount lie outside the scope (checkAmounts), but the stream
		// reads them before the scope filter drops them: as 0 they are dropped either way.
		return `coalesce(t.base_micros, 0)`
	}
	return `t.base_micros`
}

// streamSpec says what a stream reads.
type streamSpec struct {
	cents string // the amount expression (see centsExpr); a constant when amounts are not needed
	label string // the inflow label expression, or ""
	desc  bool   // reverse replay order
	scope bool   // only transactions touching the scope
	count bool   // report progress through Options.Count
	// upTo, when > 0, reads only the pages before page upTo (forward order); onPage, when
	// set, is told the index of each page before its rows come.
	upTo   int
	onPage func(page int)
}

// stream reads the replayable transactions page by page in replay order (or its reverse) and
// hands them to fn in batches with account indexes instead of account numbers, leaving out
// those outside the scope when spec.scope is set. A batch is only valid during fn.
func (t *run) stream(spec streamSpec, fn func(*tracer.Batch) error) error {
	ps, err := t.pages()
	if err != nil {
		return err
	}
	if err := t.orderTable(); err != nil {
		return err
	}
	order := t.orderBy(spec.desc)
	if spec.upTo > 0 {
		ps = ps[:min(spec.upTo, len(ps))]
	}
	var total, done int64
	for _, p := range ps {
		total += p.rows
	}
	var m accountMap
	for i := range ps {
		if spec.onPage != nil {
			spec.onPage(i)
		}
		p := ps[i]
		if spec.desc {
			p = ps[len(ps)-1-i]
		}
		q := t.streamQuery(spec.cents, spec.label, t.replayFilter()+p.where(t.replayAt()), order)
		err := scanBatches(t.ctx, t.conn, q, func(b *tracer.Batch) error {
			done += int64(b.Len())
			mb, err := m.apply(t, b, spec.scope && !t.scopeAll)
			if err != nil {
				return err
			}
			if err := fn(mb); err != nil {
				return err
			}
			if spec.count {
				t.count(done, total)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// count reports progress to Options.Count.
func (t *run) count(done, total int64) {
	if t.opt.Count != nil {
		t.opt.Count(done, total)
	}
}

// accountMap turns the stored account numbers of a batch into the engine's account indexes,
// in buffers of its own.
type accountMap struct {
	b              tracer.Batch
	from, to       []int32
	txn, cents, at []int64
	label          []int32
}

// apply returns b with From and To as account indexes (through run.index), and, when scoped,
// only the transactions touching the scope. The result is valid until the next call.
func (m *accountMap) apply(t *run, b *tracer.Batch, scoped bool) (*tracer.Batch, error) {
	idx, in := t.index, t.inScope
	m.from, m.to = m.from[:0], m.to[:0]
	keep := 0
	for i, fn := range b.From {
		tn := b.To[i]
		var f, to int32 = -1, -1
		if fn > 0 && int(fn) < len(idx) {
			f = idx[fn]
		}
		if tn > 0 && int(tn) < len(idx) {
			to = idx[tn]
		}
		if f < 0 || to < 0 {
			return nil, fmt.Errorf("transaction row %d names an account missing from the accounts table", b.Txn[i])
		}
		m.from, m.to = append(m.from, f), append(m.to, to)
		if scoped && (in[f] || in[to]) {
			keep++
		}
	}
	out := &m.b
	*out = tracer.Batch{Txn: b.Txn, From: m.from, To: m.to, Cents: b.Cents, At: b.At, Label: b.Label}
	if !scoped || keep == len(m.from) {
		return out, nil
	}
	m.txn, m.cents, m.at, m.label = m.txn[:0], m.cents[:0], m.at[:0], m.label[:0]
	j := 0
	for i, f := range m.from {
		to := m.to[i]
		if !in[f] && !in[to] {
			continue
		}
		m.from[j], m.to[j] = f, to
		j++
		m.txn, m.cents = append(m.txn, b.Txn[i]), append(m.cents, b.Cents[i])
		if b.At != nil {
			m.at = append(m.at, b.At[i])
		}
		if b.Label != nil {
			m.label = append(m.label, b.Label[i])
		}
	}
	*out = tracer.Batch{Txn: m.txn, From: m.from[:j], To: m.to[:j], Cents: m.cents}
	if b.At != nil {
		out.At = m.at
	}
	if b.Label != nil {
		out.Label = m.label
	}
	return out, nil
}

// centsBuf converts batches of micro-unit amounts into the engine's cents.
type centsBuf struct {
	b       tracer.Batch
	subCent int64 // amounts with fractions of a cent
}

// toCents returns b with its amounts rounded from micro-units to cents, half away from zero
// (as DuckDB rounds a DECIMAL cast to an integer), leaving out the transactions that round
// to 0 cents. It counts the amounts with fractions of a cent. The result is valid until the
// next call.
func (cb *centsBuf) toCents(b *tracer.Batch) *tracer.Batch {
	out := &cb.b
	out.Cents = out.Cents[:0]
	zero := false
	for _, m := range b.Cents {
		if m%10_000 != 0 {
			cb.subCent++
		}
		c := (m + 5_000) / 10_000 // amounts are positive
		zero = zero || c <= 0
		out.Cents = append(out.Cents, c)
	}
	if !zero {
		out.Txn, out.From, out.To, out.At, out.Label = b.Txn, b.From, b.To, b.At, b.Label
		return out
	}
	cents := out.Cents
	out.Txn, out.From, out.To, out.At, out.Cents = nil, nil, nil, nil, nil
	out.Label = nil
	for i, c := range cents {
		if c <= 0 {
			continue
		}
		out.Txn, out.From, out.To, out.Cents = append(out.Txn, b.Txn[i]), append(out.From, b.From[i]), append(out.To, b.To[i]), append(out.Cents, c)
		if b.At != nil {
			out.At = append(out.At, b.At[i])
		}
		if b.Label != nil {
			out.Label = append(out.Label, b.Label[i])
		}
	}
	return out
}
