package tracer

import (
	"reflect"
	"testing"
)

// TestReportShared works out the shared part of the report ahead (Engine.ReportShared), once
// after the last transaction and once half-way (stale by the end), and requires the same
// report as without.
func TestReportShared(t *testing.T) {
	for i, sh := range propertyShapes {
		accounts, txns, seeds := generate(sh, 21)
		cfg := Config{Accounts: accounts, Seeds: seeds, Methods: AllMethods, Flows: FlowsAll}
		want, err := Run(cfg, &SliceSource{Txns: txns, BatchSize: 97, WithTimes: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []int{len(txns), len(txns) / 2} {
			e, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for j, x := range txns {
				if j == at {
					e.ReportShared()
				}
				b := Batch{Txn: []int64{x.Txn}, From: []int32{x.From}, To: []int32{x.To}, Cents: []int64{x.Cents}, At: []int64{x.At}}
				if err := e.Apply(&b); err != nil {
					t.Fatal(err)
				}
			}
			if at == len(txns) {
				e.ReportShared()
			}
			if got := e.Report(); !reflect.DeepEqual(got, want) {
				t.Errorf("shape %d: with the shared part worked out after %d of %d transactions, the report differs", i, at, len(txns))
			}
		}
	}
}
