package casetrace

import (
	"slices"
	"testing"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

// The rule engine validates trace steps' methods against casedb.TraceMethods without
// importing the tracer: the two lists must be the same.
func TestTraceMethodsMatchTracer(t *testing.T) {
	var names []string
	for _, m := range tracer.AllMethods {
		names = append(names, m.String())
	}
	if !slices.Equal(names, casedb.TraceMethods) {
		t.Fatalf("casedb.TraceMethods %v, the tracer's methods %v", casedb.TraceMethods, names)
	}
}
