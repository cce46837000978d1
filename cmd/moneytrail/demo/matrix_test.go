package demo

import (
	"context"
	"slices"
	"testing"
)

// TestMatrixMeetsTargets runs the smuggling pack on two variants the pack's first versions
// missed entirely (fees paid into the collectors' bank accounts, and in cash at their bank,
// with honest look-alikes beside them) and checks issue 20's targets: collectors' recall at
// least 0.9, precision of the accounts named at least 0.6, an organizer among the first three
// suspects.
func TestMatrixMeetsTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and runs two cases")
	}
	var vs []Variant
	for _, v := range Variants() {
		if slices.Contains([]string{"bank+lookalikes", "cash+lookalikes"}, v.Name) {
			vs = append(vs, v)
		}
	}
	rows, err := Matrix(context.Background(), MatrixOptions{Variants: vs, Seeds: []uint64{1}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		t.Logf("%+v flagged precision %.2f", r, r.FlaggedPrecision())
		if r.CollectorRecall < 0.9 || r.FlaggedPrecision() < 0.6 || r.OrganizerRank < 1 || r.OrganizerRank > 3 {
			t.Errorf("%s seed %d: collector recall %.2f, flagged precision %.2f, organizer rank %d", r.Variant, r.Seed,
				r.CollectorRecall, r.FlaggedPrecision(), r.OrganizerRank)
		}
	}
}
