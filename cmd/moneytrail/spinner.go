package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// spinnerDelay is how long work runs before a progress indicator appears.
const spinnerDelay = 2 * time.Second

// spinner shows an indeterminate progress bar on stderr for work that takes longer than
// spinnerDelay, and only when stderr is a terminal.
type spinner struct {
	mu          sync.Mutex
	bar         *progressbar.ProgressBar
	desc        string
	done        chan struct{}
	wg          sync.WaitGroup
	n, total    int64     // a count of the current step (total > 0), see count
	lastCounted time.Time // when the bar last showed the count
	countFrom   time.Time // when the current count started, for its rate
}

func startSpinner(w io.Writer, desc string) *spinner {
	s := &spinner{desc: desc, done: make(chan struct{})}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return s
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-s.done:
			return
		case <-time.After(spinnerDelay):
		}
		s.mu.Lock()
		s.bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionSpinnerType(14),
			progressbar.OptionSetDescription(s.desc), progressbar.OptionClearOnFinish(), progressbar.OptionShowElapsedTimeOnFinish())
		s.showCount()
		s.mu.Unlock()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.mu.Lock()
				if s.total == 0 {
					s.bar.Add(1)
				}
				s.mu.Unlock()
			}
		}
	}()
	return s
}

func (s *spinner) describe(step string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.desc = step
	s.n, s.total = 0, 0
	if s.bar != nil {
		if s.bar.GetMax64() != -1 {
			s.bar.ChangeMax64(-1)
		}
		s.bar.Describe(step)
	}
}

// count shows the current step's progress, n of total, as a bar instead of the spinner until
// the next describe. It may be called often: the bar is redrawn at most every 100 ms.
func (s *spinner) count(n, total int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n, s.total = n, total
	if n < total && time.Since(s.lastCounted) < 100*time.Millisecond {
		return
	}
	s.showCount()
}

// showCount draws the count on the bar, if both exist; s.mu is held.
func (s *spinner) showCount() {
	if s.bar == nil || s.total <= 0 {
		return
	}
	if s.bar.GetMax64() != s.total {
		s.bar.Reset() // the rate and time left are of this count
		s.bar.ChangeMax64(s.total)
		s.countFrom = time.Now()
	}
	s.bar.Set64(s.n)
	rate := ""
	if d := time.Since(s.countFrom).Seconds(); d >= 1 {
		rate = fmt.Sprintf(" %s/s", shortCount(int64(float64(s.n)/d)))
	}
	s.bar.Describe(fmt.Sprintf("%s %s/%s%s", s.desc, shortCount(s.n), shortCount(s.total), rate))
	s.lastCounted = time.Now()
}

// shortCount writes n with three significant digits: 950, 12.3k, 4.56M.
func shortCount(n int64) string {
	switch {
	case n >= 999_995_000:
		return strconv.FormatFloat(float64(n)/1e9, 'f', 2, 64) + "G"
	case n >= 999_950:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 2, 64) + "M"
	case n >= 1e4:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatInt(n, 10)
}

func (s *spinner) stop() {
	close(s.done)
	s.wg.Wait()
	if s.bar != nil {
		s.bar.Finish()
	}
}
