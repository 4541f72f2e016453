package proxy

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// compressBody is large and compressible.
var compressBody = strings.Repeat("All work and no play makes Jack a dull boy. ", 200)

// compressBackend answers by path, with the response kinds the rules skip.
func compressBackend(events chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		body := compressBody
		switch r.URL.Path {
		case "/text":
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Etag", `"v1"`)
		case "/json-chunked":
			h.Set("Content-Type", "application/json")
			io.WriteString(w, body[:100])
			w.(http.Flusher).Flush()
			io.WriteString(w, body[100:])
			return
		case "/small":
			h.Set("Content-Type", "text/plain")
			body = "tiny"
		case "/png":
			h.Set("Content-Type", "image/png")
		case "/svg":
			h.Set("Content-Type", "image/svg+xml")
		case "/woff2":
			h.Set("Content-Type", "font/woff2")
		case "/zip":
			h.Set("Content-Type", "application/zip")
		case "/video":
			h.Set("Content-Type", "video/mp4")
		case "/no-type":
			h["Content-Type"] = nil
		case "/encoded":
			h.Set("Content-Type", "text/plain")
			h.Set("Content-Encoding", "gzip")
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			io.WriteString(zw, body)
			zw.Close()
			body = buf.String()
		case "/no-transform":
			h.Set("Content-Type", "text/plain")
			h.Set("Cache-Control", "public, no-transform")
		case "/range":
			h.Set("Content-Type", "text/plain")
			h.Set("Content-Range", "bytes 0-99/"+strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusPartialContent)
			io.WriteString(w, body[:100])
			return
		case "/204":
			w.WriteHeader(http.StatusNoContent)
			return
		case "/304":
			h.Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusNotModified)
			return
		case "/sse":
			h.Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: one\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-events:
			case <-time.After(10 * time.Second):
			}
			io.WriteString(w, "data: two\n\n")
			return
		default:
			h.Set("Content-Type", "text/plain")
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body)
	}
}

// decode undoes a Content-Encoding with Go's readers.
func decode(t *testing.T, name, enc string, body []byte) string {
	t.Helper()
	var r io.Reader
	var err error
	switch enc {
	case "":
		return string(body)
	case "gzip":
		r, err = gzip.NewReader(bytes.NewReader(body))
	case "deflate":
		r, err = zlib.NewReader(bytes.NewReader(body))
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		t.Fatalf("%s: unknown Content-Encoding %q", name, enc)
	}
	if err != nil {
		t.Fatalf("%s: %s reader: %v", name, enc, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: decoding %s: %v", name, enc, err)
	}
	return string(out)
}

func compressDoc(backend string) string {
	return "[mothership]\ncompression = true\n\n" + bindOnly + ship("app", backend, `{ path_prefix = "/" }`)
}

func TestCompression(t *testing.T) {
	backend := startBackend(t, compressBackend(nil))
	p := startProxy(t, compressDoc(backendAddr(backend)))
	c := newClient(t)
	c.Transport.(*http.Transport).DisableCompression = true // send no Accept-Encoding of its own
	for _, tc := range []struct {
		name, method, path, ae string
		header                 http.Header
		want                   string // Content-Encoding
		vary                   bool
	}{
		{name: "gzip", path: "/text", ae: "gzip", want: "gzip", vary: true},
		{name: "deflate", path: "/text", ae: "deflate", want: "deflate", vary: true},
		{name: "br", path: "/text", ae: "br", want: "br", vary: true},
		{name: "browser", path: "/text", ae: "gzip, deflate, br, zstd", want: "br", vary: true},
		{name: "q-values", path: "/text", ae: "br;q=0.2, gzip;q=0.9, deflate;q=0.5", want: "gzip", vary: true},
		{name: "br;q=0", path: "/text", ae: "br;q=0, deflate", want: "deflate", vary: true},
		{name: "star", path: "/text", ae: "*", want: "br", vary: true},
		{name: "identity;q=0 and gzip", path: "/text", ae: "identity;q=0, gzip", want: "gzip", vary: true},
		{name: "identity only", path: "/text", ae: "identity", want: ""},
		{name: "no Accept-Encoding", path: "/text", ae: "", want: ""},
		{name: "chunked body", path: "/json-chunked", ae: "gzip", want: "gzip", vary: true},
		{name: "small body", path: "/small", ae: "gzip", want: ""},
		{name: "svg is compressed", path: "/svg", ae: "gzip", want: "gzip", vary: true},
		{name: "png skipped", path: "/png", ae: "gzip", want: ""},
		{name: "woff2 skipped", path: "/woff2", ae: "gzip", want: ""},
		{name: "zip skipped", path: "/zip", ae: "gzip", want: ""},
		{name: "video skipped", path: "/video", ae: "gzip", want: ""},
		{name: "no Content-Type skipped", path: "/no-type", ae: "gzip", want: ""},
		{name: "already encoded kept", path: "/encoded", ae: "br, gzip", want: "gzip"},
		{name: "no-transform skipped", path: "/no-transform", ae: "gzip", want: ""},
		{name: "206 skipped", path: "/range", ae: "gzip", header: http.Header{"Range": {"bytes=0-99"}}, want: ""},
		{name: "204 skipped", path: "/204", ae: "gzip", want: ""},
		{name: "304 skipped", path: "/304", ae: "gzip", want: ""},
		{name: "HEAD skipped", method: "HEAD", path: "/text", ae: "gzip", want: ""},
	} {
		method := tc.method
		if method == "" {
			method = "GET"
		}
		h := http.Header{}
		if tc.ae != "" {
			h.Set("Accept-Encoding", tc.ae)
		}
		for k, v := range tc.header {
			h[k] = v
		}
		res, raw := do(t, c, method, p.url+tc.path, "", h)
		got := res.Header.Get("Content-Encoding")
		if got != tc.want {
			t.Errorf("%s: Content-Encoding %q, want %q", tc.name, got, tc.want)
			continue
		}
		vary := strings.Contains(strings.Join(res.Header["Vary"], ","), "Accept-Encoding")
		if vary != tc.vary {
			t.Errorf("%s: Vary: Accept-Encoding %v, want %v (%q)", tc.name, vary, tc.vary, res.Header["Vary"])
		}
		if tc.want == "" || tc.path == "/encoded" {
			continue
		}
		// The backend's Content-Length is gone; net/http may count the
		// encoded body itself when it fits its buffer.
		if res.ContentLength != -1 && res.ContentLength != int64(len(raw)) {
			t.Errorf("%s: Content-Length %d for %d encoded bytes", tc.name, res.ContentLength, len(raw))
		}
		if body := decode(t, tc.name, got, []byte(raw)); body != compressBody {
			t.Errorf("%s: decoded body differs (%d bytes, want %d)", tc.name, len(body), len(compressBody))
		}
		if len(raw) >= len(compressBody) {
			t.Errorf("%s: %d bytes encoded, not smaller than %d", tc.name, len(raw), len(compressBody))
		}
		if tc.path == "/text" {
			if etag := res.Header.Get("Etag"); etag != `W/"v1"` {
				t.Errorf("%s: ETag %q, want W/\"v1\"", tc.name, etag)
			}
		}
	}
	// The encoders are pooled: many requests in a row stay correct.
	for i := range 20 {
		for _, enc := range []string{"gzip", "deflate", "br"} {
			res, raw := do(t, c, "GET", p.url+"/text", "", http.Header{"Accept-Encoding": {enc}})
			if body := decode(t, enc, res.Header.Get("Content-Encoding"), []byte(raw)); body != compressBody {
				t.Fatalf("round %d, %s: decoded body differs", i, enc)
			}
		}
	}
}

// TestCompressionCommandLine decodes the proxy's output with the gzip and
// brotli command-line tools.
func TestCompressionCommandLine(t *testing.T) {
	backend := startBackend(t, compressBackend(nil))
	p := startProxy(t, compressDoc(backendAddr(backend)))
	c := newClient(t)
	for _, tc := range []struct{ enc, tool string }{
		{"gzip", "gzip"},
		{"br", "brotli"},
	} {
		t.Run(tc.enc, func(t *testing.T) {
			tool, err := exec.LookPath(tc.tool)
			if err != nil {
				t.Skipf("%s: the %s command is not installed (apt-get install -y %s)", tc.enc, tc.tool, tc.tool)
			}
			for _, path := range []string{"/text", "/json-chunked"} {
				res, raw := do(t, c, "GET", p.url+path, "", http.Header{"Accept-Encoding": {tc.enc}})
				if got := res.Header.Get("Content-Encoding"); got != tc.enc {
					t.Fatalf("%s %s: Content-Encoding %q", tc.enc, path, got)
				}
				cmd := exec.Command(tool, "-d", "-c")
				cmd.Stdin = strings.NewReader(raw)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("%s %s: %s -d: %v: %s", tc.enc, path, tc.tool, err, stderr.String())
				}
				if string(out) != compressBody {
					t.Errorf("%s %s: %s -d gave %d bytes, want %d", tc.enc, path, tc.tool, len(out), len(compressBody))
				}
			}
		})
	}
}

// TestCompressionStreams checks that server-sent events come through the
// encoder as they are sent: the client decodes the first event while the
// backend still holds the second.
func TestCompressionStreams(t *testing.T) {
	for _, enc := range []string{"gzip", "deflate", "br"} {
		t.Run(enc, func(t *testing.T) {
			release := make(chan struct{})
			defer func() {
				select {
				case <-release:
				default:
					close(release)
				}
			}()
			backend := startBackend(t, compressBackend(release))
			p := startProxy(t, compressDoc(backendAddr(backend)))
			req, _ := http.NewRequest("GET", p.url+"/sse", nil)
			req.Header.Set("Accept-Encoding", enc)
			res, err := newClient(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if got := res.Header.Get("Content-Encoding"); got != enc {
				t.Fatalf("%s: Content-Encoding %q", enc, got)
			}
			var r io.Reader
			switch enc {
			case "gzip":
				r, err = gzip.NewReader(res.Body)
			case "deflate":
				r, err = zlib.NewReader(res.Body)
			case "br":
				r = brotli.NewReader(res.Body)
			}
			if err != nil {
				t.Fatalf("%s: %v", enc, err)
			}
			br := bufio.NewReader(r)
			first := make(chan string, 1)
			go func() {
				l1, _ := br.ReadString('\n')
				l2, _ := br.ReadString('\n')
				first <- l1 + l2
			}()
			select {
			case got := <-first:
				if got != "data: one\n\n" {
					t.Fatalf("%s: first event %q", enc, got)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: the first event did not arrive before the backend finished", enc)
			}
			close(release)
			rest, err := io.ReadAll(br)
			if err != nil || string(rest) != "data: two\n\n" {
				t.Errorf("%s: rest %q, %v", enc, rest, err)
			}
		})
	}
}

// TestCompressionOff checks that without `compression = true` no route
// has the stage.
func TestCompressionOff(t *testing.T) {
	backend := startBackend(t, compressBackend(nil))
	p := startProxy(t, bindOnly+ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	res, raw := do(t, newClient(t), "GET", p.url+"/text", "", http.Header{"Accept-Encoding": {"gzip, br"}})
	if res.Header.Get("Content-Encoding") != "" || raw != compressBody {
		t.Errorf("compression off: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}
