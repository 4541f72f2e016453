package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// reloadBenchManifest is a manifest of 20 ships with 5 routes each: 100
// routes on one bind.
func reloadBenchManifest(socket string, port int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[mothership]\ncontrol_socket = %q\n\n[mothership.bind]\nhttp = \"127.0.0.1:%d\"\n", socket, port)
	for i := range 20 {
		fmt.Fprintf(&b, "\n[[fleet.web]]\nname = \"ship%d\"\ncommand = \"sleep\"\nargs = [\"300\"]\nroutes = [", i)
		for j := range 5 {
			fmt.Fprintf(&b, "{ pattern = \"/s%d/r%d/.*\", strip_prefix = \"/s%d\" }, ", i, j, i)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// BenchmarkReload: one reload of a manifest of 100 routes and 20 ships,
// from the signal to the new plan live and the old one idle: the manifest
// read and checked, the routes compiled, the fleet diffed and the plan
// swapped in (the ships run already and are unchanged, so none launches).
// The aim is under 50 ms.
func BenchmarkReload(b *testing.B) {
	dir, err := os.MkdirTemp("", "msb")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ship-manifest.toml")
	if err := os.WriteFile(path, []byte(reloadBenchManifest(filepath.Join(dir, "c.sock"), freePort(b))), 0o644); err != nil {
		b.Fatal(err)
	}
	v, _, err := newVoyage(io.Discard, "text", false)
	if err != nil {
		b.Fatal(err)
	}
	m, tree, probs, err := loadAndCompile(path)
	if err != nil || len(probs.Errors()) > 0 {
		b.Fatalf("the benchmark's manifest: %v %v", err, probs)
	}
	if err := v.prepare(m, tree, nil, nil); err != nil {
		b.Fatal(err)
	}
	defer v.control.Close()
	defer v.srv.Shutdown(context.Background())
	v.manifestPath, v.running = path, true
	if n := len(tree.Binds[0].Routes); n != 100 {
		b.Fatalf("%d routes, want 100", n)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.applyReload(ctx, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
