package resolve

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moneytrail/moneytrail/ingest"
	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/internal/corpus"
)

// TestCorpusNames: names from real exports in ../shared/corpus resolve as an investigator
// would expect: the holder of one Swiss account, written short and long by six files, is
// one party; a statement account's holder named differently by two files is only
// suggested, with the shared account as reason; numbered names (two shops of one chain,
// four placeholder payers) are no candidates; a name padded with a beneficiary prefix is
// a suggestion.
func TestCorpusNames(t *testing.T) {
	files := []string{
		"camt/moov-io__iso20022__200519_camt054-ESR-ASR_P_CH2909000000250094239_1110092704_0_2019042500372179.xml",
		"camt/moov-io__iso20022__200924_camt.054_P_CH2909000000250094239_1110092703_0_2019042423412214.xml",
		"camt/genkgo__camt__camt052.v1.xml",
		"camt/genkgo__camt__camt052.v2.with-account-name.xml",
		"camt/moov-io__iso20022__FI_camt_054_sample.xml.xml",
		"mt940/fruitl00p__php-mt940__Bunq-sample.sta",
		"mt940/wolph__mt940__betterplace-sepa_mt9401.sta",
	}
	ctx := context.Background()
	db, err := casedb.Open(ctx, filepath.Join(t.TempDir(), "case.duckdb"), casedb.Options{Create: true, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, f := range files {
		if _, err := ingest.File(ctx, db, corpus.Path(t, f), ingest.Options{}); err != nil {
			t.Fatalf("ingest %s: %v", f, err)
		}
	}
	r, err := ResolveCase(ctx, db, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	link := func(a, b string) Link {
		if a > b {
			a, b = b, a
		}
		for _, l := range r.Links {
			if l.A == a && l.B == b {
				return l
			}
		}
		return Link{}
	}
	if r.ClusterOf["robert schneider sa"] != r.ClusterOf["robert schneider sa grands magasins biel bienne"] {
		t.Errorf("the two names of the holder of CH2909000000250094239 are two clusters: %+v", link("robert schneider sa", "robert schneider sa grands magasins biel bienne"))
	}
	if l := link("account owner name", "finpetrol"); l.Status != Suggested || !strings.Contains(strings.Join(l.Reasons, "; "), "same account held CH2801234000123456789") {
		t.Errorf("Account Owner Name ~ FINPETROL: %+v, want a suggestion resting on the shared account", l)
	}
	for _, p := range [][2]string{{"albert heijn 1016", "albert heijn 1438"}, {"payers name1", "payers name2"}, {"payers name3", "payers name4"}} {
		if l := link(p[0], p[1]); l.Status != "" {
			t.Errorf("%s ~ %s: %s %v, want no candidate", p[0], p[1], l.Status, l.Reasons)
		}
	}
	if l := link("empfaenger josef jaeger uk01", "josef jaeger"); l.Status != Suggested {
		t.Errorf("Empfaenger Josef Jaeger UK01 ~ JOSEF JAEGER: %+v, want a suggestion", l)
	}
	if l := link("zo vital", "zo vital b v"); l.Status != Suggested {
		t.Errorf("Zo Vital ~ Zo-vital B.V.: %+v, want a suggestion", l)
	}
}
