package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// swapTo swaps p onto the manifest doc as it stands (its addresses are
// not moved, unlike startProxy's).
func swapTo(t *testing.T, p *proxy, doc string) (Change, error) {
	t.Helper()
	m := parseManifest(t, doc)
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatalf("compile routes: %v", err)
	}
	return p.srv.Swap(m, tree, Options{Resolve: upstream.ManifestResolver(m)})
}

// getOver sends one GET on a new connection from dial, after prefix (a
// PROXY header, or nothing), and returns the status line and body.
func getOver(t *testing.T, dial func() (net.Conn, error), prefix string) (status, body string) {
	t.Helper()
	c, err := dial()
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	fmt.Fprintf(c, "%sGET / HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n", prefix)
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.Status, string(b)
}

// TestSwapSharesTheSocketOfAReplacedBind: a reload that moves an address
// to a bind of another name, or turns the PROXY protocol on for a bind,
// takes over the old bind's socket. The reload succeeds (it used to fail
// with "address in use"), and a client that connects all the while is
// never refused.
func TestSwapSharesTheSocketOfAReplacedBind(t *testing.T) {
	app := backend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "app") })
	p := startProxy(t, fmt.Sprintf("[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n[[mothership.upstreams]]\nname = \"app\"\nbinds = [%q]\nroutes = [\"/*\"]\n", app))
	doc := func(bind string) string {
		return fmt.Sprintf("[mothership.bind]\n%s\n\n[[mothership.upstreams]]\nname = \"app\"\nbinds = [%q]\nroutes = [\"/*\"]\n", bind, app)
	}
	dial := func() (net.Conn, error) { return net.Dial("tcp", p.addr) }

	var refused, served atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			c, err := dial()
			if err != nil {
				refused.Add(1)
				continue
			}
			c.Close()
			served.Add(1)
		}
	})

	// Each swap runs while the dialer connects: it has connected a few
	// times before and after.
	dialed := func() {
		for n := served.Load() + 20; served.Load() < n && refused.Load() == 0; {
			runtime.Gosched()
		}
	}
	dialed()
	steps := []struct {
		name, bind         string
		added, removed     []string
		prefix, wantStatus string
	}{
		{"renamed", fmt.Sprintf("web = %q", p.addr), []string{"web"}, []string{"http"}, "", "200 OK"},
		{"PROXY protocol on", fmt.Sprintf("web = { addr = %q, proxy_protocol = true }", p.addr), []string{"web"}, []string{"web"}, "PROXY TCP4 203.0.113.7 127.0.0.1 4711 80\r\n", "200 OK"},
		{"back to plain", fmt.Sprintf("http = %q", p.addr), []string{"http"}, []string{"web"}, "PROXY TCP4 203.0.113.7 127.0.0.1 4711 80\r\n", "400 Bad Request"},
	}
	for _, st := range steps {
		ch, err := swapTo(t, p, doc(st.bind))
		if err != nil {
			t.Fatalf("%s: Swap: %v", st.name, err)
		}
		if !slices.Equal(ch.BindsAdded, st.added) || !slices.Equal(ch.BindsRemoved, st.removed) {
			t.Errorf("%s: added %v, removed %v; want %v, %v", st.name, ch.BindsAdded, ch.BindsRemoved, st.added, st.removed)
		}
		// The PROXY header tells which listener answers: the new bind's.
		if status, body := getOver(t, dial, st.prefix); status != st.wantStatus || (st.wantStatus == "200 OK" && body != "app") {
			t.Errorf("%s: a GET after the swap got %s %q, want %s", st.name, status, body, st.wantStatus)
		}
		closeIdleClients()
		dialed()
	}
	close(stop)
	wg.Wait()
	if refused.Load() != 0 || served.Load() == 0 {
		t.Errorf("during the swaps %d connections were refused, %d accepted; want none refused", refused.Load(), served.Load())
	}
}

// TestSwapHandsOverAUnixSocket: a Unix socket moved to a bind of another
// name keeps its file through the reload (the retired bind does not
// remove it under the new one), and the new bind removes it on shutdown.
func TestSwapHandsOverAUnixSocket(t *testing.T) {
	app := backend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "app") })
	sock := filepath.Join(t.TempDir(), "ms.sock")
	t.Cleanup(func() { // runs after the proxy's shutdown, registered later
		if _, err := os.Stat(sock); err == nil {
			t.Errorf("the socket file is left after shutdown")
		}
	})
	doc := func(name string) string {
		return fmt.Sprintf("[mothership.bind]\n%s = \"unix://%s\"\n\n[[mothership.upstreams]]\nname = \"app\"\nbinds = [%q]\nroutes = [\"/*\"]\n", name, sock, app)
	}
	p := startProxy(t, doc("http"))
	dial := func() (net.Conn, error) { return (&net.Dialer{}).DialContext(context.Background(), "unix", sock) }
	for _, name := range []string{"web", "http"} {
		if _, err := swapTo(t, p, doc(name)); err != nil {
			t.Fatalf("Swap to %s: %v", name, err)
		}
		if _, err := os.Stat(sock); err != nil {
			t.Fatalf("after the swap to %s the socket file is gone: %v", name, err)
		}
		if status, body := getOver(t, dial, ""); status != "200 OK" || !strings.Contains(body, "app") {
			t.Errorf("after the swap to %s: %s %q", name, status, body)
		}
	}
}
