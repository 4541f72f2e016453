package proxy

import (
	"fmt"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/docking"
)

// fileBay serves a docking upstream on a Unix socket: /file is a file
// reply for path, anything else a stream reply of two chunks.
func fileBay(t *testing.T, path string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "px")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "bay.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	text := []docking.Pair{{Name: []byte("content-type"), Value: []byte("text/plain")}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r, w := docking.NewReader(c), docking.NewWriter(c)
				if _, err := docking.BayHandshake(r, w, docking.Dock{Version: docking.VersionHTTP, Ship: "files", PID: 1, Threads: 2}); err != nil {
					return
				}
				var h docking.Hail
				for {
					f, err := r.Next()
					if err != nil || h.Decode(f.Payload) != nil {
						return
					}
					p, _ := h.Param("PATH_INFO")
					if string(p) == "/file" {
						w.WriteReply(&docking.Reply{RequestID: h.RequestID, Status: 200, Kind: docking.ReplyFile, Headers: text, Path: []byte(path)})
					} else {
						w.WriteReply(&docking.Reply{RequestID: h.RequestID, Status: 200, Kind: docking.ReplyStream, Headers: text})
						w.WriteHaul(h.RequestID, false, []byte("chunk one, "))
						w.WriteHaul(h.RequestID, false, []byte("chunk two"))
						w.WriteHaul(h.RequestID, true, nil)
					}
					w.WriteReady(h.RequestID)
					if w.Flush() != nil {
						return
					}
				}
			}()
		}
	}()
	return socket
}

// TestBayRepliesOverTheEngine: stream and file replies of a docking
// upstream, conditional and range requests included, framed by the engine
// on one kept-alive connection.
func TestBayRepliesOverTheEngine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.txt")
	content := "0123456789abcdefghij"
	os.WriteFile(path, []byte(content), 0o644)
	mod := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	os.Chtimes(path, mod, mod)
	addr := start(t, "[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n[[mothership.upstreams]]\nname = \"files\"\nprotocol = \"docking\"\nbinds = [\"unix://"+fileBay(t, path)+"\"]\nroutes = [\"/*\"]\n")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if res, err := http.Get("http://" + addr + "/"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the docking upstream did not attach within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	c, br := dial(t, addr)
	for _, tc := range []struct {
		name, method, fields string
		status               int
		body                 string
		want                 map[string]string
	}{
		{"stream", "GET", "", 200, "chunk one, chunk two", map[string]string{"Content-Type": "text/plain"}},
		{"file", "GET", "", 200, content, map[string]string{"Content-Length": "20", "Accept-Ranges": "bytes", "Last-Modified": mod.Format(http.TimeFormat)}},
		{"file HEAD", "HEAD", "", 200, "", map[string]string{"Content-Length": "20"}},
		{"file range", "GET", "Range: bytes=2-4\r\n", 206, "234", map[string]string{"Content-Range": "bytes 2-4/20", "Content-Length": "3"}},
		{"file not modified", "GET", "If-Modified-Since: " + mod.Add(time.Hour).Format(http.TimeFormat) + "\r\n", 304, "", map[string]string{"Content-Type": ""}},
		{"file range not satisfiable", "GET", "Range: bytes=50-\r\n", 416, "416 range not satisfiable\n", map[string]string{"Content-Range": "bytes */20"}},
	} {
		target := "/file"
		if tc.name == "stream" {
			target = "/stream"
		}
		fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n", tc.method, target, tc.fields)
		resp, body := readResponse(t, br, tc.method)
		if resp.StatusCode != tc.status || body != tc.body {
			t.Errorf("%s: %d %q, want %d %q", tc.name, resp.StatusCode, body, tc.status, tc.body)
		}
		for k, v := range tc.want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", tc.name, k, got, v)
			}
		}
	}
	fmt.Fprint(c, "GET /file HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,18-\r\n\r\n")
	resp, body := readResponse(t, br, "GET")
	mt, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var parts []string
	if mt == "multipart/byteranges" {
		mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b := new(strings.Builder)
			fmt.Fprint(b, p.Header.Get("Content-Range"), " ")
			buf := make([]byte, 64)
			n, _ := p.Read(buf)
			b.Write(buf[:n])
			parts = append(parts, b.String())
		}
	}
	if resp.StatusCode != 206 || strings.Join(parts, "; ") != "bytes 0-1/20 01; bytes 18-19/20 ij" {
		t.Errorf("two ranges: %d %s, parts %q; want 206 multipart/byteranges with both", resp.StatusCode, mt, parts)
	}
}
