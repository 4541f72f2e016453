package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
)

//go:embed init-manifest.toml
var initManifest []byte

func initCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("init", stderr)
	path := fs.StringP("manifest", "c", "ship-manifest.toml", "file to write")
	force := fs.Bool("force", false, "overwrite the file when it exists")
	if code, done := parse(fs, args); done {
		return code
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(*path, flags, 0o644)
	if errors.Is(err, iofs.ErrExist) {
		fmt.Fprintf(stderr, "mothership init: %s exists; keep it, or overwrite it with --force\n", *path)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "mothership init: %v\n", err)
		return 1
	}
	_, err = f.Write(initManifest)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "mothership init: write %s: %v\n", *path, err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s; check it with `mothership clearance -c %s`\n", *path, *path)
	return 0
}
