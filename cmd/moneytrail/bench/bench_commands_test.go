package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func camtDoc(id string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>` + id + `</MsgId></GrpHdr>
    <Stmt><Id>` + id + `</Id></Stmt>
  </BkToCstmrStmt>
</Document>
`
}

// TestMergeCamt: the merged document has the first header, every statement in order and
// one closing, and a document without statements is refused.
func TestMergeCamt(t *testing.T) {
	var out bytes.Buffer
	docs := []string{camtDoc("A"), camtDoc("B"), camtDoc("C")}
	for i, d := range docs {
		if err := mergeCamt(&out, []byte(d), i == 0, i == len(docs)-1); err != nil {
			t.Fatal(err)
		}
	}
	got := out.String()
	if n := strings.Count(got, "<Stmt>"); n != 3 {
		t.Errorf("%d statements, want 3:\n%s", n, got)
	}
	if strings.Count(got, "<Document") != 1 || strings.Count(got, "</Document>") != 1 || strings.Count(got, "<GrpHdr>") != 1 {
		t.Errorf("want one document with one header:\n%s", got)
	}
	if a, b, c := strings.Index(got, "<Id>A"), strings.Index(got, "<Id>B"), strings.Index(got, "<Id>C"); !(a < b && b < c) {
		t.Errorf("statements out of order:\n%s", got)
	}
	if err := mergeCamt(&out, []byte("<Document/>"), false, false); err == nil {
		t.Error("a document without <Stmt> merged")
	}
}

// TestWriteRows: the CSV holds a header and one line per row with the ratio of wall times.
func TestWriteRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.csv")
	rows := []Row{{Group: "trace", Command: "trace", Floor: "read", Cmd: Measured{Elapsed: 3e9}, Base: Measured{Elapsed: 2e9}, Target: 3}}
	if err := writeRows(path, 1000, rows); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "1000,trace,trace,3.000,") || !strings.Contains(lines[1], ",1.500,") {
		t.Errorf("got\n%s", b)
	}
}
