package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

const h2Manifest = `
[mothership.bind]
http = { addr = "127.0.0.1:%d", h2c = true }
https = { addr = "127.0.0.1:%d", tls = { cert = "a.test.pem", key = "a.test.key" } }

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/.*" }, { bind = "https", pattern = "/.*" }]
`

// TestHTTP2ThroughTheStages: a client speaking HTTP/2, by ALPN on the TLS
// bind and with prior knowledge on the h2c bind, reaches the ship through
// the stages, and the ship's X-JA4H says the request came as HTTP/2; an
// HTTP/1.1 client on the same binds still gets HTTP/1.1.
func TestHTTP2ThroughTheStages(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, dir, "a.test", 1)
	httpPort, httpsPort := freePort(t), freePort(t)
	writeManifest(t, dir, fmt.Sprintf(h2Manifest, httpPort, httpsPort))
	v := startRunIn(t, dir, nil)
	v.waitFor(t, "phase=Running", 20*time.Second)

	// A config each: a transport that attempts HTTP/2 adds h2 to its
	// config's NextProtos, which would make the HTTP/1.1 client offer it.
	insecure := func() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }
	h2c := &http2.Transport{AllowHTTP: true, DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	cases := []struct {
		name      string
		rt        http.RoundTripper
		url       string
		wantMajor int
	}{
		{"h2 by ALPN", &http.Transport{TLSClientConfig: insecure(), ForceAttemptHTTP2: true}, fmt.Sprintf("https://127.0.0.1:%d", httpsPort), 2},
		{"h2c by prior knowledge", h2c, fmt.Sprintf("http://127.0.0.1:%d", httpPort), 2},
		{"http/1.1 on the TLS bind", &http.Transport{TLSClientConfig: insecure()}, fmt.Sprintf("https://127.0.0.1:%d", httpsPort), 1},
		{"http/1.1 on the h2c bind", &http.Transport{}, fmt.Sprintf("http://127.0.0.1:%d", httpPort), 1},
	}
	for _, c := range cases {
		resp, err := (&http.Client{Transport: c.rt, Timeout: 10 * time.Second}).Get(c.url + "/header?name=X-Ja4h")
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.ProtoMajor != c.wantMajor {
			t.Errorf("%s: %s %d, want HTTP/%d 200", c.name, resp.Proto, resp.StatusCode, c.wantMajor)
		}
		wantVersion := "ge11"
		if c.wantMajor == 2 {
			wantVersion = "ge20"
		}
		if !strings.HasPrefix(string(body), wantVersion) {
			t.Errorf("%s: the ship saw X-JA4H %q, want it to start with %s", c.name, body, wantVersion)
		}
	}
}
