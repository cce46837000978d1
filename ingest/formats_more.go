package ingest

import (
	"fmt"

	"github.com/moneytrail/moneytrail/internal/canon"
)

// detectMore asks the statement-format readers whether they claim a file.
func detectMore(head []byte) string { return "" }

// readMore runs the statement-format readers.
func readMore(format string, data []byte, path string, opt Options) (canon.Batch, string, error) {
	return canon.Batch{}, "", fmt.Errorf("unknown format %q (formats: %v)", format, Formats())
}
