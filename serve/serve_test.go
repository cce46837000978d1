package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return m
}

// pick walks a decoded JSON value by keys and indexes: pick(m, "freeze", "rows", 0, "amount").
func pick(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: %v is not an object", p, v)
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("at %v: %v is not a list that long", p, v)
			}
			v = a[k]
		}
	}
	return v
}

func TestTokenRequired(t *testing.T) {
	s, ts := testServer(t, false)
	noRedirect := *ts.Client()
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	do := func(method, path string, header map[string]string, cookie *http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	good := &http.Cookie{Name: cookieName, Value: s.Token()}
	for _, c := range []struct {
		name         string
		method, path string
		header       map[string]string
		cookie       *http.Cookie
		want         int
	}{
		{"API without a token", "GET", "/api/case", nil, nil, http.StatusUnauthorized},
		{"API with a wrong token", "GET", "/api/case", map[string]string{headerName: "0" + s.Token()[1:]}, nil, http.StatusUnauthorized},
		// The cookie alone is what another site could make the browser send: refused.
		{"API with the cookie only", "GET", "/api/case", nil, good, http.StatusUnauthorized},
		{"note with the cookie only", "POST", "/api/notes", nil, good, http.StatusUnauthorized},
		{"API with the token", "GET", "/api/case", map[string]string{headerName: s.Token()}, nil, http.StatusOK},
		{"page without a token", "GET", "/", nil, nil, http.StatusUnauthorized},
		{"script without a token", "GET", "/static/app.js", nil, nil, http.StatusUnauthorized},
		{"page with a wrong token", "GET", "/?token=nope", nil, nil, http.StatusUnauthorized},
		{"page with the token in the address", "GET", "/?token=" + s.Token(), nil, nil, http.StatusSeeOther},
		{"page with the cookie", "GET", "/", nil, good, http.StatusOK},
		{"script with the cookie", "GET", "/static/app.js", nil, good, http.StatusOK},
		{"page posted to", "POST", "/", nil, good, http.StatusMethodNotAllowed},
		// A name of another site rebound to 127.0.0.1 reaches the server with its own Host.
		{"another host name", "GET", "/api/case", map[string]string{headerName: s.Token(), "Host": "evil.example"}, nil, http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, ts.URL+c.path, nil)
			if h, ok := c.header["Host"]; ok {
				req.Host = h
			}
			res := do(c.method, c.path, c.header, c.cookie)
			if c.header["Host"] != "" {
				for k, v := range c.header {
					req.Header.Set(k, v)
				}
				r2, err := noRedirect.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				r2.Body.Close()
				res = r2
			}
			if res.StatusCode != c.want {
				t.Errorf("%s %s: status %d, want %d", c.method, c.path, res.StatusCode, c.want)
			}
			if c.want == http.StatusSeeOther {
				if loc := res.Header.Get("Location"); strings.Contains(loc, "token") {
					t.Errorf("redirect keeps the token in the address: %s", loc)
				}
				var got *http.Cookie
				for _, ck := range res.Cookies() {
					if ck.Name == cookieName {
						got = ck
					}
				}
				if got == nil || got.Value != s.Token() || !got.HttpOnly || got.SameSite != http.SameSiteStrictMode {
					t.Errorf("cookie %+v: want the token, HttpOnly, SameSite=Strict", got)
				}
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:0": true, "localhost:0": true, "[::1]:0": true, "0.0.0.0:0": false, ":0": false, "192.168.1.5:80": false} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
	if _, err := Listen("0.0.0.0:0", false); err == nil {
		t.Error("Listen on 0.0.0.0 without allowRemote: no error")
	}
	l, err := Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
}

func TestGlance(t *testing.T) {
	s, ts := testServer(t, false)
	code, body := get(t, s, ts, "/api/case")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	m := decode(t, body)
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"case", "transactions"}, 5.0}, // T6 is a duplicate
		{[]any{"case", "sources"}, 3.0},
		{[]any{"case", "base_currency"}, "EUR"},
		{[]any{"runs", "rules_run"}, "rules-1"},
		{[]any{"runs", "trace_run"}, "trace-1"},
		// Luka Horvat: two high rules (organizer_ranking, confiscation_parties) and pass_through
		// on his account; Đorđe: one high rule; Matić Logistika: one low rule.
		{[]any{"suspects", 0, "name"}, "Luka Horvat"},
		{[]any{"suspects", 0, "high_rules"}, 2.0},
		{[]any{"suspects", 0, "rules"}, 3.0},
		{[]any{"suspects", 0, "largest_amount"}, "1250.5"},
		{[]any{"suspects", 0, "reasons", 0, "severity"}, "high"},
		{[]any{"suspects", 1, "name"}, "Đorđe Salihović"},
		{[]any{"suspects", 2, "name"}, "Matić Logistika d.o.o."},
		{[]any{"suspects", 2, "reasons", 0, "subject"}, a3},
		// libr leaves 300 of traced money in A1 and 200 in A3; clean money and exits are not
		// frozen.
		{[]any{"freeze", "method"}, "libr"},
		{[]any{"freeze", "total", "total"}, "500"},
		{[]any{"freeze", "total", "in_statement_accounts"}, "300"},
		{[]any{"freeze", "rows", 0, "name"}, "Luka Horvat"},
		{[]any{"freeze", "rows", 0, "amount"}, "300"},
		{[]any{"freeze", "rows", 1, "account_id"}, a3},
		{[]any{"attention", "unreconciled"}, 1.0},
		{[]any{"attention", "gaps"}, 1.0},
		{[]any{"attention", "quarantined"}, 2.0},
	} {
		if got := pick(t, m, c.path...); got != c.want {
			t.Errorf("%v = %#v, want %#v", c.path, got, c.want)
		}
	}
	if n := len(pick(t, m, "suspects").([]any)); n != 3 {
		t.Errorf("%d suspects, want 3 (the older run's finding left out)", n)
	}
	// Another method, and a run asked for by id.
	_, body = get(t, s, ts, "/api/freeze?method=fifo&trace_run=trace-1")
	if got := pick(t, decode(t, body), "total", "total"); got != "100" {
		t.Errorf("fifo total %v, want 100", got)
	}
	if code, _ := get(t, s, ts, "/api/freeze?method=nosuch"); code != http.StatusBadRequest {
		t.Errorf("unknown method: status %d", code)
	}
}

func TestSearchDiacritics(t *testing.T) {
	s, ts := testServer(t, false)
	for _, c := range []struct {
		q    string
		want []string // kind:id of every result, in order
	}{
		// Đ is a letter of its own: only the name key finds it from "dorde".
		{"dorde", []string{"party:dorde salihovic", "account:" + a2, "account:" + m1}},
		{"Đorđe", []string{"party:dorde salihovic", "account:" + a2, "account:" + m1}},
		{"salihovic", []string{"party:dorde salihovic", "account:" + a2, "account:" + m1}},
		{"MATIĆ", []string{"party:matic logistika d o o", "account:" + a3}},
		{"SI1202", []string{"account:" + a1}},
		{"nobody", nil},
	} {
		code, body := get(t, s, ts, "/api/search?q="+url.QueryEscape(c.q))
		if code != http.StatusOK {
			t.Fatalf("%s: status %d %s", c.q, code, body)
		}
		var got []string
		for _, r := range pick(t, decode(t, body), "results").([]any) {
			r := r.(map[string]any)
			got = append(got, r["kind"].(string)+":"+r["id"].(string))
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("search %q: %v, want %v", c.q, got, c.want)
		}
	}
}

func TestAccountPage(t *testing.T) {
	s, ts := testServer(t, false)
	code, body := get(t, s, ts, "/api/account?id="+a1)
	if code != http.StatusOK {
		t.Fatalf("status %d %s", code, body)
	}
	m := decode(t, body)
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"account", "holder_name"}, "Luka Horvat"},
		// In: 1000 + 250.50 from A2 (T6, the duplicate, not counted). Out: 700 to A3, 50 cash.
		{[]any{"flows", "totals", 0, "direction"}, "in"},
		{[]any{"flows", "totals", 0, "amount"}, "1250.5"},
		{[]any{"flows", "totals", 0, "txns"}, 2.0},
		{[]any{"flows", "totals", 1, "amount"}, "750"},
		{[]any{"flows", "counterparties", 0, "name"}, "Đorđe Salihović"},
		{[]any{"flows", "counterparties", 1, "counterparty"}, a3},
		{[]any{"flows", "counterparties", 1, "amount"}, "700"},
		{[]any{"flows", "counterparties", 2, "counterparty"}, "cash:atm"},
		{[]any{"flows", "channels", 2, "channel"}, "cash_withdrawal"},
		// Opening 100: 1100, 400, 350, 600.50.
		{[]any{"balance", 0, "day"}, "2024-01-02"},
		{[]any{"balance", 0, "balance"}, "1100"},
		{[]any{"balance", 1, "balance"}, "400"},
		{[]any{"balance", 2, "balance"}, "350"},
		{[]any{"balance", 3, "balance"}, "600.5"},
		{[]any{"statements", 0, "reconciled"}, true},
	} {
		if got := pick(t, m, c.path...); got != c.want {
			t.Errorf("%v = %#v, want %#v", c.path, got, c.want)
		}
	}
	if code, _ := get(t, s, ts, "/api/account?id=nosuch"); code != http.StatusNotFound {
		t.Errorf("unknown account: status %d", code)
	}
}

func TestPartyPage(t *testing.T) {
	s, ts := testServer(t, false)
	_, body := get(t, s, ts, "/api/party?id="+url.QueryEscape("dorde salihovic"))
	m := decode(t, body)
	// Đorđe's two accounts: A2 receives 500 from M1, his own, which is no money in; out of
	// them go 1250.50 to A1.
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"party", "name"}, "Đorđe Salihović"},
		{[]any{"accounts", 0, "account_id"}, a2},
		{[]any{"accounts", 0, "txns"}, 3.0},
		{[]any{"accounts", 1, "account_id"}, m1},
		{[]any{"accounts", 1, "role"}, "receiver"},
		{[]any{"flows", "totals", 0, "direction"}, "out"},
		{[]any{"flows", "totals", 0, "amount"}, "1250.5"},
		{[]any{"findings", 0, "rule_id"}, "collection_party"},
	} {
		if got := pick(t, m, c.path...); got != c.want {
			t.Errorf("%v = %#v, want %#v", c.path, got, c.want)
		}
	}
	if n := len(pick(t, m, "flows", "totals").([]any)); n != 1 {
		t.Errorf("%d directions, want 1 (the transfer between his own accounts is no money in)", n)
	}
}

func TestGraph(t *testing.T) {
	s, ts := testServer(t, false)
	edges := func(q string) string {
		t.Helper()
		code, body := get(t, s, ts, "/api/graph?"+q)
		if code != http.StatusOK {
			t.Fatalf("%s: status %d %s", q, code, body)
		}
		var out []string
		for _, e := range pick(t, decode(t, body), "edges").([]any) {
			e := e.(map[string]any)
			out = append(out, e["from_name"].(string)+">"+e["to_name"].(string)+"="+e["amount"].(string))
		}
		return strings.Join(out, " ")
	}
	for q, want := range map[string]string{
		"account=" + a1:                               "Đorđe Salihović>Luka Horvat=1250.5 Luka Horvat>Matić Logistika d.o.o.=700 Luka Horvat>cash:atm=50",
		"account=" + a1 + "&min=100":                  "Đorđe Salihović>Luka Horvat=1250.5 Luka Horvat>Matić Logistika d.o.o.=700",
		"account=" + a1 + "&dir=out&min=100":          "Luka Horvat>Matić Logistika d.o.o.=700",
		"account=" + a1 + "&from=2024-01-07":          "Đorđe Salihović>Luka Horvat=250.5",
		"account=" + a1 + "&to=2024-01-02":            "Đorđe Salihović>Luka Horvat=1000",
		"party=" + url.QueryEscape("dorde salihovic"): "Đorđe Salihović>Luka Horvat=1250.5 Đorđe Salihović>Đorđe Salihović=500",
		"account=" + a1 + "&min=1250.51":              "",
	} {
		if got := edges(q); got != want {
			t.Errorf("graph %s:\n got %s\nwant %s", q, got, want)
		}
	}
	for _, q := range []string{"", "account=x&min=lots", "account=x&dir=up", "account=x&from=7.1.2024"} {
		if code, _ := get(t, s, ts, "/api/graph?"+q); code != http.StatusBadRequest {
			t.Errorf("graph %q: status %d, want 400", q, code)
		}
	}
}

func TestTxnsBehindAFigure(t *testing.T) {
	s, ts := testServer(t, false)
	_, body := get(t, s, ts, "/api/txns?account="+a1+"&counterparty="+a2)
	m := decode(t, body)
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"total"}, 2.0},
		{[]any{"total_base_amount"}, "1250.5"},
		{[]any{"txns", 0, "txn_id"}, "T1"},
		{[]any{"txns", 0, "source_file"}, "a1.xml"},
		{[]any{"txns", 0, "source_record"}, 2.0},
		{[]any{"txns", 0, "from_name"}, "Đorđe Salihović"},
		{[]any{"txns", 0, "amount"}, "1000"},
		{[]any{"txns", 1, "txn_id"}, "T5"},
	} {
		if got := pick(t, m, c.path...); got != c.want {
			t.Errorf("%v = %#v, want %#v", c.path, got, c.want)
		}
	}
	for q, want := range map[string]float64{
		"account=" + a1 + "&dir=out":             2,
		"account=" + a1 + "&offset=4":            4, // the total counts every row; the page is empty
		"party=dorde+salihovic":                  3,
		"party=dorde+salihovic&channel=transfer": 2,
		"ids=T3+T4+T6":                           2, // T6 is a duplicate
	} {
		_, body := get(t, s, ts, "/api/txns?"+q)
		if got := pick(t, decode(t, body), "total"); got != want {
			t.Errorf("txns %s: total %v, want %v", q, got, want)
		}
	}
	_, body = get(t, s, ts, "/api/finding?rule=organizer_ranking&subject="+url.QueryEscape("party:luka horvat"))
	m = decode(t, body)
	if got := pick(t, m, "finding", "severity"); got != "high" {
		t.Errorf("finding severity %v", got)
	}
	if got := len(pick(t, m, "txns").([]any)); got != 2 {
		t.Errorf("finding evidence: %d transactions, want 2 (T1 T5)", got)
	}
}

func TestNotes(t *testing.T) {
	s, ts := testServer(t, false)
	before, err := casedb.TableDigest(context.Background(), s.db, `SELECT COLUMNS(*)::VARCHAR FROM transactions ORDER BY txn_id`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"subject_kind":"account","subject":"` + a1 + `","text":"Ask NLB for the March statement","author":"Ana Kovač"}`, http.StatusOK},
		{`{"subject_kind":"finding","subject":"collection_party party:dorde salihovic","tag":"relevant","run_id":"rules-1"}`, http.StatusOK},
		{`{"subject_kind":"transaction","subject":"T2","text":"passport copy from WU"}`, http.StatusOK},
		{`{"subject_kind":"finding","subject":"collection_party party:dorde salihovic","tag":"confirmed"}`, http.StatusBadRequest},
		{`{"subject_kind":"account","subject":"nosuch","text":"x"}`, http.StatusNotFound},
		{`{"subject_kind":"account","subject":"` + a1 + `"}`, http.StatusBadRequest},
		{`{"subject_kind":"source","subject":"1","text":"x"}`, http.StatusBadRequest},
		{`{"subject_kind":"account","subject":"` + a1 + `","text":"x","extra":1}`, http.StatusBadRequest},
		{`not json`, http.StatusBadRequest},
	} {
		if code, body := call(t, s, ts, http.MethodPost, "/api/notes", c.body); code != c.want {
			t.Errorf("%s: status %d, want %d: %s", c.body, code, c.want, body)
		}
	}
	_, body := get(t, s, ts, "/api/account?id="+a1)
	m := decode(t, body)
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"notes", 0, "note_id"}, 1.0},
		{[]any{"notes", 0, "text"}, "Ask NLB for the March statement"},
		{[]any{"notes", 0, "author"}, "Ana Kovač"},
		{[]any{"notes", 0, "created_at"}, "2024-03-04 05:06:07"},
	} {
		if got := pick(t, m, c.path...); got != c.want {
			t.Errorf("%v = %#v, want %#v", c.path, got, c.want)
		}
	}
	_, body = get(t, s, ts, "/api/finding?rule=collection_party&subject="+url.QueryEscape("party:dorde salihovic"))
	m = decode(t, body)
	if got := pick(t, m, "notes", 0, "tag"); got != "relevant" {
		t.Errorf("finding's tag %v", got)
	}
	if got := pick(t, m, "notes", 0, "author"); got != "Insp. Test" {
		t.Errorf("note without an author signed %v, want the server's default", got)
	}
	_, body = get(t, s, ts, "/api/notes")
	if n := len(pick(t, decode(t, body), "notes").([]any)); n != 3 {
		t.Errorf("%d notes, want 3", n)
	}
	after, err := casedb.TableDigest(context.Background(), s.db, `SELECT COLUMNS(*)::VARCHAR FROM transactions ORDER BY txn_id`)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("writing notes changed the transactions")
	}
}

// TestReadsCannotWrite: the API's queries run in read-only transactions, so even a query that
// tried to write would be refused by DuckDB.
func TestReadsCannotWrite(t *testing.T) {
	s, _ := testServer(t, false)
	ctx := context.Background()
	err := s.read(ctx, func(q querier) error {
		_, err := rows(ctx, q, `INSERT INTO notes VALUES (99, now(), 'x', 'account', 'x', NULL, 'x', NULL) RETURNING note_id`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("a write inside read: %v, want a read-only error", err)
	}
}

func TestReadOnlyCase(t *testing.T) {
	path := testCase(t)
	s, ts := serveCase(t, path, true)
	if code, _ := get(t, s, ts, "/api/case"); code != http.StatusOK {
		t.Errorf("read-only case: status %d", code)
	}
	code, body := call(t, s, ts, http.MethodPost, "/api/notes", `{"subject_kind":"account","subject":"`+a1+`","text":"x"}`)
	if code != http.StatusConflict || !strings.Contains(body, "read-only") {
		t.Errorf("note on a read-only case: status %d %s, want 409", code, body)
	}
}

// TestDismissedFindingsDoNotRank: once the investigator dismisses the two high-severity
// findings on Luka Horvat, only pass_through (medium) counts for him and Đorđe (one high rule)
// comes first; the dismissed reasons stay listed, last, with their tag.
func TestDismissedFindingsDoNotRank(t *testing.T) {
	s, ts := testServer(t, false)
	// Ranked once before the notes: the ranking is kept until a note is written.
	_, body := get(t, s, ts, "/api/suspects")
	if got := pick(t, decode(t, body), "suspects", 0, "name"); got != "Luka Horvat" {
		t.Fatalf("first before the notes: %v", got)
	}
	for _, rule := range []string{"organizer_ranking", "confiscation_parties"} {
		body := `{"subject_kind":"finding","subject":"` + rule + ` party:luka horvat","tag":"dismissed","run_id":"rules-1"}`
		if code, out := call(t, s, ts, http.MethodPost, "/api/notes", body); code != http.StatusOK {
			t.Fatalf("%d %s", code, out)
		}
	}
	// A later tag supersedes: relevant, then dismissed again, on the first.
	for _, tag := range []string{"relevant", "dismissed"} {
		call(t, s, ts, http.MethodPost, "/api/notes", `{"subject_kind":"finding","subject":"organizer_ranking party:luka horvat","tag":"`+tag+`"}`)
	}
	_, body = get(t, s, ts, "/api/suspects")
	m := decode(t, body)
	for _, c := range []struct {
		path []any
		want any
	}{
		{[]any{"suspects", 0, "name"}, "Đorđe Salihović"},
		{[]any{"suspects", 1, "name"}, "Luka Horvat"},
		{[]any{"suspects", 1, "high_rules"}, 0.0},
		{[]any{"suspects", 1, "rules"}, 1.0},
		{[]any{"suspects", 1, "largest_amount"}, "1250.5"},
		{[]any{"suspects", 1, "reasons", 0, "rule_id"}, "pass_through"},
		{[]any{"suspects", 1, "reasons", 0, "tag"}, ""},
		{[]any{"suspects", 1, "reasons", 1, "tag"}, "dismissed"},
		{[]any{"suspects", 1, "reasons", 2, "tag"}, "dismissed"},
	} {
		if got := pick(t, m, c.path...); got != c.want {
			t.Errorf("%v = %#v, want %#v", c.path, got, c.want)
		}
	}
}
