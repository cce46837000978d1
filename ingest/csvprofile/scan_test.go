package csvprofile

import (
	"reflect"
	"testing"
)

func TestScannerLines(t *testing.T) {
	type rec struct {
		Line   int
		Fields []string
		Err    bool
	}
	tests := []struct {
		name string
		in   string
		want []rec
	}{
		{"LF", "a;b\nc;d\n", []rec{{1, []string{"a", "b"}, false}, {2, []string{"c", "d"}, false}}},
		{"CRLF no final newline", "a;b\r\nc;d", []rec{{1, []string{"a", "b"}, false}, {2, []string{"c", "d"}, false}}},
		{"bare CR", "a\rb\rc", []rec{{1, []string{"a"}, false}, {2, []string{"b"}, false}, {3, []string{"c"}, false}}},
		{"CR CRLF is two line ends", "a\r\r\nb", []rec{{1, []string{"a"}, false}, {2, []string{""}, false}, {3, []string{"b"}, false}}},
		{"quoted newlines counted", "\"x\r\ny\ry\";1\nz;2\n", []rec{{1, []string{"x\ny\ny", "1"}, false}, {4, []string{"z", "2"}, false}}},
		{"doubled quote", `"a""b";c`, []rec{{1, []string{`a"b`, "c"}, false}}},
		{"missing opening quote", "\"a\";\"b\"\nx\";\"y\"\n\"c\";\"d\"\n", []rec{{1, []string{"a", "b"}, false}, {2, nil, true}, {3, []string{"c", "d"}, false}}},
		{"text after closing quote", "\"a\"x;b\nc;d\n", []rec{{1, nil, true}, {2, []string{"c", "d"}, false}}},
		{"truncated inside quotes", "a;b\nc;\"d\ne", []rec{{1, []string{"a", "b"}, false}, {2, nil, true}, {3, []string{"e"}, false}}},
		{"empty field at end", "a;\n", []rec{{1, []string{"a", ""}, false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScanner(tc.in, ';', '"', false)
			var got []rec
			for {
				r, ok := sc.next()
				if !ok {
					break
				}
				g := rec{Line: r.line, Err: r.err != ""}
				if !g.Err {
					g.Fields = r.fields
				}
				got = append(got, g)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestScannerLazyQuotes(t *testing.T) {
	sc := newScanner("12\" screen;\"a\"b\n", ';', '"', true)
	r, _ := sc.next()
	if r.err != "" || !reflect.DeepEqual(r.fields, []string{`12" screen`, `a"b`}) {
		t.Errorf("lazy: %+v", r)
	}
}
