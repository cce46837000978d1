package main

import (
	"io"
	"os"
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
	mu   sync.Mutex
	bar  *progressbar.ProgressBar
	desc string
	done chan struct{}
	wg   sync.WaitGroup
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
		s.mu.Unlock()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.mu.Lock()
				s.bar.Add(1)
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
	if s.bar != nil {
		s.bar.Describe(step)
	}
}

func (s *spinner) stop() {
	close(s.done)
	s.wg.Wait()
	if s.bar != nil {
		s.bar.Finish()
	}
}
