package resolve_test

import (
	"fmt"

	"github.com/moneytrail/moneytrail/resolve"
)

// One man at two operators, his name transliterated and his words swapped, with one
// passport: the shared document decides. A namesake born elsewhen is no candidate.
func ExampleResolve() {
	attrs := func(kv ...string) []resolve.Attr {
		var out []resolve.Attr
		for i := 0; i < len(kv); i += 2 {
			out = append(out, resolve.Attr{Kind: kv[i], Value: kv[i+1], Source: "transfers.csv", Record: int64(i/2 + 2)})
		}
		return out
	}
	ps := []*resolve.Party{
		{ID: "a", Attrs: attrs("name", "Dragan Đorđević", "birth_date", "1980-05-01", "id:passport", "P1234567")},
		{ID: "b", Attrs: attrs("name", "DZORDZEVIC DRAGAN", "id:passport", "P 1234567")},
		{ID: "c", Attrs: attrs("name", "Dragan Djordjevic", "birth_date", "1975-11-30")},
	}
	r := resolve.Resolve(ps, nil, resolve.DefaultParams())
	for _, c := range r.Clusters {
		fmt.Println(c.Parties, c.Confidence)
	}
	for _, l := range r.Links {
		fmt.Println(l.A, l.B, l.Status, l.Reasons)
	}
	// Output:
	// [a b] 1
	// [c] 1
	// a b same [names "Dragan Đorđević" and "DZORDZEVIC DRAGAN" score 0.97: dordevic/dzordzevic one name transliterated, words in another order same passport number P1234567 (transfers.csv record 4; transfers.csv record 3)]
}
