package bench

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mothership-go/mothership/docking"
)

// startBay serves the two bodies over the docking protocol (v3) on a Unix
// socket, from this process like startBackend, with a link for each
// client: the same app as the backend, as an HTTP bay.
func startBay(b *testing.B) string {
	b.Helper()
	dir, err := os.MkdirTemp("", "bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "bay.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveLink(c)
		}
	}()
	return socket
}

var textPlain = []docking.Pair{{Name: []byte("content-type"), Value: []byte("text/plain")}}

// serveLink answers each Hail on one link: /ping with small, else kib.
func serveLink(c net.Conn) {
	defer c.Close()
	r, w := docking.NewReader(c), docking.NewWriter(c)
	if _, err := docking.BayHandshake(r, w, docking.Dock{Version: docking.VersionHTTP, Ship: "bench", PID: os.Getpid(), Threads: clients}); err != nil {
		return
	}
	var h docking.Hail
	reply := docking.Reply{Status: 200, Kind: docking.ReplyStream, Headers: textPlain}
	for {
		f, err := r.Next()
		if err != nil || f.Expect(docking.TypeHail) != nil || h.Decode(f.Payload) != nil {
			return
		}
		body := kib
		if p, _ := h.Param("PATH_INFO"); string(p) == "/ping" {
			body = small
		}
		reply.RequestID = h.RequestID
		w.WriteReply(&reply)
		w.WriteHaul(h.RequestID, false, body)
		w.WriteHaul(h.RequestID, true, nil)
		w.WriteReady(h.RequestID)
		if w.Flush() != nil {
			return
		}
	}
}

// startBayMothership runs the proxy with every path routed to the bay on
// socket, as a docking upstream, and waits until it has docked.
func startBayMothership(b *testing.B, socket string) string {
	b.Helper()
	base := startProxy(b, "[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n[[mothership.upstreams]]\nname = \"bay\"\nprotocol = \"docking\"\nbinds = [\"unix://"+socket+"\"]\nroutes = [\"/*\"]\n")
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err := http.Get(base + "/ping")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("the bay did not dock within 5s: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func BenchmarkBaySmall(b *testing.B) {
	get(b, startBayMothership(b, startBay(b))+"/ping", len(small))
}

func BenchmarkBay1KiB(b *testing.B) {
	get(b, startBayMothership(b, startBay(b))+"/kb/1", len(kib))
}
