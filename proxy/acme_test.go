package proxy

import (
	"context"
	"testing"

	"github.com/mothership-go/mothership/acme"
	"github.com/mothership-go/mothership/manifest"
)

// testACME is an ACME manager for a manifest with an acme bind, asking no
// CA for anything (it is never started).
func testACME(t *testing.T) *acme.Manager {
	t.Helper()
	doc := "[mothership.bind]\nhttp = \"127.0.0.1:1\"\nhttps = { addr = \"127.0.0.1:2\", tls = { acme = { domains = [\"a.example.net\"], storage = \"" + t.TempDir() + "\" } } }\n"
	m, err := manifest.Parse("acme.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	mg, err := acme.New(context.Background(), m, acme.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mg.Stop)
	return mg
}

// TestNoAllocationsOnAPlainBindWithACME: a plain bind that answers the
// CA's HTTP-01 challenges costs an ordinary request a prefix test and no
// allocation, and a request under the challenge path that no challenge
// is under way for goes on to the routes.
func TestNoAllocationsOnAPlainBindWithACME(t *testing.T) {
	addr := startWith(t, to(cannedBackend(t)), Options{ACME: testACME(t)})
	rc := newRawClient(t, addr, browserGet)
	for range 100 {
		rc.roundTrip(t)
	}
	if a := testing.AllocsPerRun(1000, func() { rc.roundTrip(t) }); a != 0 {
		t.Errorf("%v allocations per request, want 0", a)
	}
	c, br := dial(t, addr)
	c.Write([]byte("GET " + acme.ChallengePath + "unknown-token HTTP/1.1\r\nHost: a.example.net\r\n\r\n"))
	if line, _ := br.ReadString('\n'); line != "HTTP/1.1 200 OK\r\n" {
		t.Errorf("a challenge nobody asked for: %q, want the route's 200", line)
	}
}
