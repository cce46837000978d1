// Command moneytrail loads seized bank statements and money-transfer records into one case
// database, traces tainted funds under the legal tracing rules and writes court-ready
// evidence. Run `moneytrail --help` for the verbs.
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
