package serve

import (
	"net/http"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"
)

// BenchmarkAPI times each view's API call on the case MONEYTRAIL_SERVE_CASE names (a copy:
// serving migrates it), reporting the 95th percentile as p95-ms beside Go's mean. The
// subjects (an account, a party) are the case's top suspect's.
func BenchmarkAPI(b *testing.B) {
	path := os.Getenv("MONEYTRAIL_SERVE_CASE")
	if path == "" {
		b.Skip("MONEYTRAIL_SERVE_CASE names no case")
	}
	s, ts := serveCase(b, path, false)
	var first struct {
		Suspects []struct {
			Kind, ID string
		}
	}
	if code, body := get(b, s, ts, "/api/suspects?limit=1"); code != http.StatusOK || jsonInto(body, &first) != nil || len(first.Suspects) == 0 {
		b.Skipf("the case has no suspect to open: %d %s", code, body)
	}
	// The top suspect's account: the suspect itself, or the first account of the party.
	top := first.Suspects[0]
	account, party := top.ID, ""
	if top.Kind == "party" {
		party = top.ID
		var acc struct {
			Accounts []struct {
				AccountID string `json:"account_id"`
			}
		}
		_, body := get(b, s, ts, "/api/party?id="+url.QueryEscape(party))
		if jsonInto(body, &acc) != nil || len(acc.Accounts) == 0 {
			b.Skipf("the top suspect %s has no account", party)
		}
		account = acc.Accounts[0].AccountID
	}
	account = url.QueryEscape(account)
	calls := []struct{ name, path string }{
		{"case", "/api/case"},
		{"suspects", "/api/suspects"},
		{"freeze", "/api/freeze"},
		{"attention", "/api/attention"},
		{"sources", "/api/sources"},
		{"search", "/api/search?q=dorde"},
		{"account", "/api/account?id=" + account},
		{"graph", "/api/graph?account=" + account + "&min=1000"},
		{"txns", "/api/txns?account=" + account},
	}
	if party != "" {
		calls = append(calls, struct{ name, path string }{"party", "/api/party?id=" + url.QueryEscape(party)})
	}
	for _, c := range calls {
		b.Run(c.name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if code, body := get(b, s, ts, c.path); code != http.StatusOK {
					b.Fatalf("%s: %d %s", c.path, code, body)
				}
				times = append(times, time.Since(t0))
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
