//go:build unix

package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestServeUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "case.duckdb")
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"--db", db, "serve"}, exitInput}, // no case yet
		{[]string{"--db", db, "serve", "--addr", "0.0.0.0:0"}, exitUsage},
		{[]string{"--db", db, "serve", "extra"}, exitUsage},
	} {
		if code, _, errs := mt(t, c.args...); code != c.want {
			t.Errorf("%v: exit %d, want %d: %s", c.args, code, c.want, errs)
		}
	}
}

// TestServe runs `moneytrail serve` as typed, reads the address it prints, asks the API with
// and without the token, and stops it as Ctrl-C would.
func TestServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "case.duckdb")
	if code, _, errs := mt(t, "--db", db, "init"); code != 0 {
		t.Fatal(errs)
	}
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var errb strings.Builder
	go func() {
		done <- run([]string{"moneytrail", "--db", db, "serve", "--author", "Ana"}, pw, &errb)
		pw.Close()
	}()
	var url string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "open "); ok {
			url = u
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.Contains(url, "/?token=") {
		t.Fatalf("serve printed no loopback address with a token (%q); stderr %s", url, errb.String())
	}
	base, token, _ := strings.Cut(url, "/?token=")
	for _, c := range []struct {
		token string
		want  int
	}{{"", http.StatusUnauthorized}, {token, http.StatusOK}} {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/case", nil)
		if c.token != "" {
			req.Header.Set("X-API-Key", c.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("token %q: status %d, want %d", c.token, res.StatusCode, c.want)
		}
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve stopped with exit %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on SIGINT")
	}
}
