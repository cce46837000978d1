package rules

import (
	"context"

	"github.com/moneytrail/moneytrail/internal/casedb"
)

// Tracer runs the trace steps of rule packs and re-checks stored trace runs. The rule engine
// needs only the case database; the tracer is given by the application (casetrace.Rules), so
// that neither engine imports the other.
type Tracer interface {
	// TraceSeeds traces the credits seeds (transaction ids) forward under one method (a name
	// of casedb.TraceMethods) through the whole case, the seeds as one tainted origin when
	// groupSeeds, unexplained funds as one origin, keeping the flows of tainted money. It
	// stores nothing.
	TraceSeeds(ctx context.Context, db *casedb.DB, seeds []string, method string, groupSeeds bool, toolVersion string) ([]casedb.PositionRow, []casedb.FlowRow, error)
	// VerifyTrace re-runs the trace run runID from its manifest, stores nothing and says
	// what differs: the inputs or settings (problems) and the position rows stored but not
	// given again (missing) or given but not stored (extra).
	VerifyTrace(ctx context.Context, db *casedb.DB, runID, manifestJSON string) (rerunID string, problems, missing, extra []string, err error)
}
