// Package bench holds end-to-end benchmarks: real sockets on loopback, a
// real backend, the proxy as the mothership runs it. See README.md.
package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/proxy"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// The bodies the backend answers, as ../shared/bench/backend does: 13 bytes
// on /ping, 1 KiB on /kb/1.
var (
	small = []byte("hello, world\n")
	kib   = []byte(strings.Repeat("x", 1023) + "\n")
)

// startBackend serves the two bodies on loopback.
func startBackend(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, _ *http.Request) { w.Write(small) })
	mux.HandleFunc("/kb/1", func(w http.ResponseWriter, _ *http.Request) { w.Write(kib) })
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// startMothership runs the proxy in front of backend, with every path
// routed to it, and returns its base URL.
func startMothership(b *testing.B, backend string) string {
	b.Helper()
	return startProxy(b, "[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n[[mothership.upstreams]]\nname = \"backend\"\nbinds = [\""+backend+"\"]\nroutes = [\"/*\"]\n")
}

// startProxy runs the proxy on the manifest doc, its bind moved to a free
// port, and returns its base URL.
func startProxy(b *testing.B, doc string) string {
	b.Helper()
	m, err := manifest.Parse("bench.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	m.Mothership.Binds[0].Addr.Address = "127.0.0.1:0"
	tree, err := routetree.Compile(m)
	if err != nil {
		b.Fatal(err)
	}
	s, err := proxy.New(m, tree, proxy.Options{Resolve: upstream.ManifestResolver(m)})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		b.Fatal(err)
	}
	go s.Serve()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return "http://" + s.Addr("http").String()
}

// clients is the number of concurrent clients, as the side-by-side harness
// runs wrk with 32 connections.
const clients = 32

// get runs GET url from 32 keep-alive clients, checks every body's size,
// and reports allocations and the process's CPU time per request. Client,
// proxy and backend share the process: compare with the Direct benchmarks
// to see what the proxy adds.
func get(b *testing.B, url string, size int) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr}
	for range clients { // warm the pools outside the timer
		fetch(b, c, url, size)
	}
	b.SetParallelism((clients + 1) / 2) // × GOMAXPROCS (2 here) goroutines
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			fetch(b, c, url, size)
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/1e3, "cpu-µs/req")
}

func fetch(b *testing.B, c *http.Client, url string, size int) {
	res, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || int(n) != size {
		b.Fatalf("GET %s: %d, %d bytes, %v", url, res.StatusCode, n, err)
	}
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkForwardSmall(b *testing.B) {
	get(b, startMothership(b, startBackend(b))+"/ping", len(small))
}

func BenchmarkForward1KiB(b *testing.B) {
	get(b, startMothership(b, startBackend(b))+"/kb/1", len(kib))
}

func BenchmarkDirectSmall(b *testing.B) {
	get(b, "http://"+startBackend(b)+"/ping", len(small))
}

func BenchmarkDirect1KiB(b *testing.B) {
	get(b, "http://"+startBackend(b)+"/kb/1", len(kib))
}
