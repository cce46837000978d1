package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Row is one result row as the API sends it: column name to value. Money and other decimals
// are strings with their exact digits (never a JSON number, which a browser reads as a
// float); dates are "2006-01-02", timestamps "2006-01-02 15:04:05"; integers are numbers.
type Row map[string]any

// rows runs query and returns every row in the API's form.
func rows(ctx context.Context, q querier, query string, args ...any) ([]Row, error) {
	rs, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	out := []Row{}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := make(Row, len(cols))
		for i, c := range cols {
			r[c] = jsonValue(vals[i])
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// one runs query and returns its first row, or nil when it has none.
func one(ctx context.Context, q querier, query string, args ...any) (Row, error) {
	rs, err := rows(ctx, q, query, args...)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return rs[0], nil
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return x.String()
	case *big.Int:
		return x.String()
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case []byte:
		return string(x)
	}
	return v
}

// errNotFound answers 404: the subject asked for is not in the case.
var errNotFound = errors.New("not found")

// errBadRequest answers 400: a parameter is missing or malformed.
var errBadRequest = errors.New("bad request")

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// api adapts a handler that returns a value or an error to the API's JSON answers.
func (s *Server) api(fn func(r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		switch {
		case err == nil:
			writeJSON(w, http.StatusOK, v)
		case errors.Is(err, errNotFound):
			writeError(w, http.StatusNotFound, err.Error())
		case errors.Is(err, errBadRequest):
			writeError(w, http.StatusBadRequest, err.Error())
		case errors.Is(err, errReadOnly):
			writeError(w, http.StatusConflict, err.Error())
		case errors.Is(err, context.DeadlineExceeded):
			s.logf("%s: %v", r.URL, err)
			writeError(w, http.StatusGatewayTimeout, fmt.Sprintf("the case took longer than %s to answer", s.timeout))
		default:
			s.logf("%s: %v", r.URL, err)
			writeError(w, http.StatusInternalServerError, err.Error())
		}
	}
}
