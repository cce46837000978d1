package serve

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts a headless Chromium with a fresh profile and nothing that reaches the
// network on its own, or skips the test where no Chromium is installed (Debian's package is
// `chromium`; .ci/run installs it).
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("no chromium on PATH: the browser test needs Debian's chromium package")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1360, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	// The first action binds the browser's life to its context: no deadline on that one
	// (see chromedp.Run); each step of a test has its own.
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Skipf("chromium does not start here: %v", err)
	}
	return ctx
}

// step runs one action with a deadline of its own and returns its value, failing the test
// on an error.
func step[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshot saves the whole page as NAME.png in the test's artifact directory (kept with
// go test -artifacts -outputdir DIR).
func screenshot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		p := filepath.Join(t.ArtifactDir(), name+".png")
		t.Logf("screenshot %s", p)
		return os.WriteFile(p, png, 0o644)
	})
}

// TestBrowser clicks through the workspace on the test case as an investigator would: open
// the case from the printed address, search a name with diacritics, open a suspect, expand
// the flow graph, add a note and find it stored.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	s, ts := testServer(t, false)
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step(t, ctx, what, chromedp.Steps(actions...))
	}
	main := func() string { return step(t, ctx, "read the page", chromedp.Text(chromedp.CSS("main"))) }
	nodes := func() int {
		return step(t, ctx, "count the nodes", chromedp.Evaluate[int](`document.querySelectorAll("#graph .node").length`))
	}

	do("open the case",
		chromedp.Navigate(ts.URL+"/?token="+s.Token()),
		chromedp.WaitVisible(`//h1[text()="Case at a glance"]`),
		screenshot(t, "01-case"))
	text := main()
	for _, want := range []string{"Luka Horvat", "Đorđe Salihović", "500.00 EUR", "records in quarantine"} {
		if !strings.Contains(text, want) {
			t.Errorf("first screen lacks %q:\n%s", want, text)
		}
	}
	if loc := step(t, ctx, "read the address", chromedp.Location()); strings.Contains(loc, "token") {
		t.Errorf("address after opening: %s", loc)
	}

	do("search a name with diacritics",
		chromedp.SendKeys(chromedp.ID("q"), "Đorđe\n"),
		chromedp.WaitVisible(`//h1[starts-with(text(), "Search")]`),
		chromedp.WaitVisible(`//main//table`),
		screenshot(t, "02-search"))
	if text := main(); !strings.Contains(text, "Đorđe Salihović") || !strings.Contains(text, m1) {
		t.Errorf("search results:\n%s", text)
	}

	do("open a suspect",
		chromedp.Click(`//header//a[text()="Suspects"]`),
		chromedp.WaitVisible(`//h1[text()="Suspects"]`),
		chromedp.Click(`//main//table//a[text()="Luka Horvat"]`),
		chromedp.WaitVisible(`//h1[text()="Luka Horvat"]`),
		chromedp.WaitVisible(`//h2[text()="Findings"]`),
		screenshot(t, "03-party"))
	text = main()
	for _, want := range []string{"organizer_ranking", a1, "1,250.50"} {
		if !strings.Contains(text, want) {
			t.Errorf("suspect's page lacks %q:\n%s", want, text)
		}
	}

	do("open the graph from the suspect's account",
		chromedp.Click(`//main//table//a[text()="graph"]`),
		chromedp.WaitVisible(chromedp.CSS(`#graph .node`)))
	// At least 1000 by default: A2 -> A1 (1250.50) only.
	if n := nodes(); n != 2 {
		t.Errorf("graph at first: %d nodes, want 2", n)
	}
	do("lower the minimum and expand a neighbour",
		chromedp.SetValue(chromedp.ID("graph-min"), "100"),
		chromedp.Click(`//button[text()="Apply"]`),
		chromedp.WaitVisible(chromedp.CSS(`#graph .node[data-id="`+a3+`"]`)),
		chromedp.Click(chromedp.CSS(`#graph .node[data-id="`+a2+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#graph .node[data-id="`+m1+`"]`)),
		screenshot(t, "04-graph"))
	// A1 with A2 and A3 (at least 100), then A2's own neighbour M1: 4 accounts.
	if n := nodes(); n != 4 {
		t.Errorf("graph after expanding: %d nodes, want 4", n)
	}
	text = step(t, ctx, "read the graph", chromedp.TextContent(chromedp.CSS("#graph")))
	for _, want := range []string{"Matić Logistika d.o.o.", "1,250.50 (2)", "500.00 (1)"} {
		if !strings.Contains(text, want) {
			t.Errorf("graph lacks %q: %s", want, text)
		}
	}
	cut := step(t, ctx, "measure the labels", chromedp.Evaluate[bool](`[...document.querySelectorAll("#graph .node")].some(g => {
		const w = Number(g.querySelector("rect").getAttribute("width"));
		return [...g.querySelectorAll("text")].some(t => t.getComputedTextLength() + 8 > w);
	})`))
	if cut {
		t.Error("a node's text is wider than its box")
	}

	do("add a note",
		chromedp.Navigate(ts.URL+"/#/account?id="+url.QueryEscape(a1)),
		chromedp.WaitVisible(chromedp.ID("note-text")),
		chromedp.SetValue(chromedp.ID("author"), "Ana Kovač"),
		chromedp.SendKeys(chromedp.ID("note-text"), "Ask NLB for the February statements"),
		chromedp.Click(chromedp.ID("note-add")),
		chromedp.WaitVisible(`//li[@class="note"]/span[text()="Ask NLB for the February statements"]`),
		screenshot(t, "05-note"))
	if text := step(t, ctx, "read the notes", chromedp.Text(chromedp.CSS(".notes"))); !strings.Contains(text, "Ana Kovač") {
		t.Errorf("note shown as %q, want the author", text)
	}
	code, body := get(t, s, ts, "/api/notes?kind=account&subject="+a1)
	if code != http.StatusOK || !strings.Contains(body, "Ask NLB for the February statements") || !strings.Contains(body, "Ana Kovač") {
		t.Errorf("stored notes: %d %s", code, body)
	}
}

// TestBrowserScreens takes the screenshots of a real case for review and the README, when
// MONEYTRAIL_SERVE_CASE names one (e.g. the demo's case.duckdb, copied: serving migrates it).
func TestBrowserScreens(t *testing.T) {
	path := os.Getenv("MONEYTRAIL_SERVE_CASE")
	if path == "" {
		t.Skip("MONEYTRAIL_SERVE_CASE names no case")
	}
	ctx := browser(t)
	s, ts := serveCase(t, path, false)
	step(t, ctx, "click through the case", chromedp.Steps(
		chromedp.Navigate(ts.URL+"/?token="+s.Token()),
		chromedp.WaitVisible(`//h1[text()="Case at a glance"]`),
		screenshot(t, "demo-01-case"),
		chromedp.Click(`//h2[text()="Top suspects"]/..//tbody/tr[1]//a`),
		chromedp.WaitVisible(`//h2[text()="Findings"]`),
		screenshot(t, "demo-02-suspect"),
		chromedp.Click(`//main//table//a[text()="graph"]`),
		chromedp.WaitVisible(chromedp.CSS(`#graph .node`)),
		screenshot(t, "demo-03-graph"),
		chromedp.Click(`//header//a[text()="Attention"]`),
		chromedp.WaitVisible(`//h1[text()="Needs attention"]`),
		screenshot(t, "demo-04-attention")))
}
