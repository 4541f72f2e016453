package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const redirectManifest = `
[mothership.bind]
http = { addr = "127.0.0.1:%d", redirect_https = true }
https = { addr = "127.0.0.1:%d", tls = { cert = "a.test.pem", key = "a.test.key" }, hsts = true }

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "https", pattern = "/.*" }]
`

// TestPlainBindRedirectsToHTTPSWithHSTS: a plain bind with redirect_https
// answers every request 308 to the same host, path and query on the TLS
// bind's port, whatever the method; the TLS bind's hsts is on every
// answer, once, in place of the ship's own.
func TestPlainBindRedirectsToHTTPSWithHSTS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeCert(t, dir, "a.test", 1)
	httpPort, httpsPort := freePort(t), freePort(t)
	writeManifest(t, dir, fmt.Sprintf(redirectManifest, httpPort, httpsPort))
	v := startRunIn(t, dir, nil)
	v.waitFor(t, "phase=Running", 15*time.Second)

	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cases := []struct {
		name, method, path, host, location string
	}{
		{"a GET keeps its path and query", "GET", "/users/7?tab=posts&x=%2F", "", fmt.Sprintf("https://127.0.0.1:%d/users/7?tab=posts&x=%%2F", httpsPort)},
		{"the client's host name, its port swapped", "GET", "/", "shop.example:8080", fmt.Sprintf("https://shop.example:%d/", httpsPort)},
		{"a host without a port", "POST", "/orders", "shop.example", fmt.Sprintf("https://shop.example:%d/orders", httpsPort)},
		{"an IPv6 host", "GET", "/a", "[::1]:8080", fmt.Sprintf("https://[::1]:%d/a", httpsPort)},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, fmt.Sprintf("http://127.0.0.1:%d%s", httpPort, c.path), strings.NewReader(""))
		if c.host != "" {
			req.Host = c.host
		}
		resp, err := plain.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 308 || resp.Header.Get("Location") != c.location {
			t.Errorf("%s: %d Location %q, want 308 to %q", c.name, resp.StatusCode, resp.Header.Get("Location"), c.location)
		}
		if sts := resp.Header.Get("Strict-Transport-Security"); sts != "" {
			t.Errorf("%s: plain HTTP answered with Strict-Transport-Security %q; browsers must not get it there", c.name, sts)
		}
	}

	secure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{ServerName: "a.test", InsecureSkipVerify: true}}}
	defer secure.CloseIdleConnections()
	for _, path := range []string{"/health", "/with-header?name=Strict-Transport-Security&value=max-age=5", "/no/such/route/but/the/ship/404s"} {
		resp, err := secure.Get(fmt.Sprintf("https://127.0.0.1:%d%s", httpsPort, path))
		if err != nil {
			t.Fatalf("GET %s over TLS: %v", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Values("Strict-Transport-Security"); len(got) != 1 || got[0] != "max-age=31536000" {
			t.Errorf("GET %s over TLS: Strict-Transport-Security %q, want once max-age=31536000", path, got)
		}
	}
	if !strings.Contains(v.output(), "308") {
		t.Errorf("the access log has no 308:\n%s", v.output())
	}
}
