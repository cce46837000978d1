package rules

import "github.com/moneytrail/moneytrail/tracer/casetrace"

// testTracer runs the trace steps in the package's tests, as the applications do.
var testTracer Tracer = casetrace.Rules{}
