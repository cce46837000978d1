package ingest

import (
	"fmt"
	"os"
	"strings"

	"github.com/moneytrail/moneytrail/ingest/amlsim"
	"github.com/moneytrail/moneytrail/ingest/amlworld"
	"github.com/moneytrail/moneytrail/ingest/ecbrates"
	"github.com/moneytrail/moneytrail/ingest/ledger"
)

// The format names accepted by --format.
const (
	FormatAuto     = "auto"
	FormatLedger   = "ledger"
	FormatCSV      = "csv"
	FormatAMLSim   = "amlsim"
	FormatECBRates = "ecb-rates"
)

// Formats lists the formats ingest accepts, in the order auto-detection tries them.
func Formats() []string {
	return []string{FormatLedger, FormatAMLWorld, FormatAMLSim, FormatECBRates, FormatCamt, FormatMT940, FormatOFX,
		FormatRemittance, FormatXLSX, FormatCSV, FormatMTO}
}

// sniffBytes is how much of a file detection reads.
const sniffBytes = 64 << 10

// detectFile picks the format of a file from its first bytes. It only answers when the content
// is unambiguous; otherwise the user must say --format.
func detectFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrInput, path, err)
	}
	defer f.Close()
	head := make([]byte, sniffBytes)
	n, _ := f.Read(head)
	head = head[:n]
	if name := Detect(head); name != "" {
		return name, nil
	}
	return "", fmt.Errorf("%w: %s: format not recognised from its content; say --format (one of %s) and, for bank CSV, --profile", ErrInput, path, strings.Join(Formats(), ", "))
}

// Detect names the format of a file from its first bytes, or "" when no format claims it.
func Detect(head []byte) string {
	switch {
	case ledger.Detect(head):
		return FormatLedger
	case amlworld.Detect(head):
		return FormatAMLWorld
	case ecbrates.Detect(head):
		return FormatECBRates
	}
	if _, ok := amlsim.DetectLayout(head); ok {
		return FormatAMLSim
	}
	return detectStatement(head)
}

// readFormat runs the pure reader of a format over the file's bytes.
func readFormat(format string, data []byte, path string, opt Options) (parsed, error) {
	switch format {
	case FormatLedger:
		b, err := ledger.Read(data)
		return parsed{batch: b}, err
	case FormatAMLSim:
		b, layout, err := amlsim.Read(data, amlsim.Options{})
		return parsed{batch: b, profile: string(layout)}, err
	case FormatECBRates:
		b, err := ecbrates.Read(data)
		return parsed{batch: b}, err
	}
	return readStatement(format, data, path, opt)
}
