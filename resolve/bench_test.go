package resolve

import (
	"context"
	"testing"
)

// BenchmarkResolve resolves the parties of a generated identities case of 1,000 people
// (about 7,000 mentions, 3,800 parties) already read from the case: blocking, scoring and
// clustering, without the database.
func BenchmarkResolve(b *testing.B) {
	db, _ := identityCase(b, 7, 1000)
	ps, err := LoadParties(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(ps)), "parties")
	b.ResetTimer()
	for b.Loop() {
		for _, p := range ps {
			p.names, p.vals = nil, nil
		}
		Resolve(ps, nil, DefaultParams())
	}
}
