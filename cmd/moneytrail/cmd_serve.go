package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/urfave/cli/v3"

	"github.com/moneytrail/moneytrail/internal/casedb"
	"github.com/moneytrail/moneytrail/serve"
)

func serveCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "work the case in the browser: suspects, what can be frozen, accounts, the flow graph, notes",
		UsageText: "moneytrail [--db CASE] serve [--addr 127.0.0.1:PORT] [--open] [--read-only] [--author NAME]",
		Description: `Starts a local web application on the case and prints its address with a random access
token; every request must carry it. It listens on 127.0.0.1 only (another address needs
--allow-remote), reaches no network itself and loads nothing from elsewhere: every file of
the page is in the binary. Stop it with Ctrl-C.

The case is read in read-only transactions; the only thing the workspace writes is the
investigator's notes (the notes table), never a source record, finding or trace. While it
runs, no other moneytrail command can open the case (DuckDB lets one process write, or
several read); with --read-only, other commands can read it too, and notes are refused.

Example:
   moneytrail --db demo/case.duckdb serve --open`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:0", Usage: "listen on `HOST:PORT` (port 0: a free one)"},
			&cli.BoolFlag{Name: "open", Usage: "open the address in the default browser"},
			&cli.BoolFlag{Name: "read-only", Usage: "open the case read-only: other processes can read it too, notes are refused"},
			&cli.StringFlag{Name: "author", Value: defaultAuthor(), Usage: "the `NAME` notes are signed with (the page can change it)"},
			&cli.BoolFlag{Name: "allow-remote", Usage: "allow an --addr other than loopback: the case is then served to the network, protected by the token alone"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			if c.Args().Len() > 0 {
				return usageErr("serve takes no arguments (the case is --db)")
			}
			l, err := serve.Listen(c.String("addr"), c.Bool("allow-remote"))
			if err != nil {
				return err
			}
			defer l.Close()
			db, err := openCase(ctx, c, casedb.Options{ReadOnly: c.Bool("read-only")})
			if err != nil {
				return err
			}
			defer db.Close()
			srv, err := serve.New(db, serve.Options{
				Author:      c.String("author"),
				Log:         log.New(e.stderr, "moneytrail serve: ", log.LstdFlags),
				AllowRemote: c.Bool("allow-remote"),
			})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			url := srv.URL(l)
			mode := "notes are stored in the case"
			if db.ReadOnly {
				mode = "read-only: notes are refused"
			}
			fmt.Fprintf(e.stdout, "moneytrail serve: case %s (%s)\n  open %s\n  stop with Ctrl-C\n", db.Path, mode, url)
			if c.Bool("open") {
				if err := openBrowser(url); err != nil {
					fmt.Fprintf(e.stderr, "moneytrail serve: could not open a browser (%v): open the address above yourself\n", err)
				}
			}
			return srv.Serve(ctx, l)
		},
	}
}

// defaultAuthor is the login name, which notes are signed with unless --author or the page
// says otherwise.
func defaultAuthor() string {
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "investigator"
}

// openBrowser hands url to the desktop's opener without waiting for the browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
