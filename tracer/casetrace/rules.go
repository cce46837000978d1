package casetrace

import (
	"context"
	"fmt"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/tracer"
)

// Rules is the tracer of rule packs' trace steps (it implements rules.Tracer): forward
// traces through the whole case, nothing stored.
type Rules struct{}

// TraceSeeds traces the credits seeds (txn ids) under method, unexplained funds grouped and
// tainted flows kept, and returns the positions and flows.
func (Rules) TraceSeeds(ctx context.Context, db *casedb.DB, seeds []string, method string, groupSeeds bool, toolVersion string) ([]casedb.PositionRow, []casedb.FlowRow, error) {
	ms, err := tracer.ParseMethods(method)
	if err != nil {
		return nil, nil, err
	}
	if len(ms) != 1 {
		return nil, nil, fmt.Errorf("method %q: a trace step uses one method", method)
	}
	sel := make([]string, len(seeds))
	for i, id := range seeds {
		sel[i] = "txn:" + id
	}
	out, err := Trace(ctx, db, Options{Seeds: sel, Methods: ms, GroupSeeds: groupSeeds, GroupUnexplained: true,
		Flows: tracer.FlowsTainted, ToolVersion: toolVersion})
	if err != nil {
		return nil, nil, err
	}
	return out.Positions(), out.Flows(), nil
}

// VerifyTrace re-runs a stored trace run (see Verify).
func (Rules) VerifyTrace(ctx context.Context, db *casedb.DB, runID, manifestJSON string) (string, []string, []string, []string, error) {
	v, err := Verify(ctx, db, runID, manifestJSON)
	if err != nil {
		return "", nil, nil, nil, err
	}
	return v.RerunID, v.Problems, v.Missing, v.Extra, nil
}
