package proxy

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// TestSwap: a swap serves the next request on the new plan and opens the
// bind it adds (and closes the one it drops, by the same name at a new
// address); a swap that does not compile changes nothing.
func TestSwap(t *testing.T) {
	one := backend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "one") })
	two := backend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "two") })
	doc := func(target, extra string) string {
		return fmt.Sprintf("[mothership.bind]\nhttp = \"127.0.0.1:1\"\n%s\n[[mothership.upstreams]]\nname = \"app\"\nbinds = [%q]\nroutes = [{ pattern = \"/.*\" }]\n", extra, target)
	}
	p := startProxy(t, doc(one, ""))
	body := func(url string) string {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	swap := func(d string) (Change, error) {
		m := parseManifest(t, d)
		for _, b := range m.Mothership.Binds {
			if b.Addr.Address == "127.0.0.1:1" || b.Addr.Address == "127.0.0.1:2" { // as startProxy moves them
				b.Addr.Address = "127.0.0.1:0"
			}
		}
		tree, err := routetree.Compile(m)
		if err != nil {
			t.Fatalf("compile routes: %v", err)
		}
		return p.srv.Swap(m, tree, Options{Resolve: upstream.ManifestResolver(m)})
	}
	if got := body(p.url + "/"); got != "one" {
		t.Fatalf("before the swap: %q, want one", got)
	}
	ch, err := swap(doc(two, "admin = \"127.0.0.1:2\""))
	if err != nil {
		t.Fatalf("Swap: %v", err)
	}
	if ch.Generation != 2 || !slices.Equal(ch.BindsAdded, []string{"admin"}) || len(ch.BindsRemoved) != 0 {
		t.Errorf("Swap: %+v, want generation 2 and admin added", ch)
	}
	if got := body(p.url + "/"); got != "two" {
		t.Errorf("after the swap: %q, want two", got)
	}
	admin := p.srv.Addr("admin")
	if admin == nil {
		t.Fatalf("the added bind has no address")
	}
	if resp, err := http.Get("http://" + admin.String() + "/"); err != nil {
		t.Errorf("the added bind does not answer: %v", err)
	} else {
		resp.Body.Close()
	}

	// An address in use fails the swap: nothing changes.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	if _, err := swap(doc(one, fmt.Sprintf("other = %q", taken.Addr().String()))); err == nil || !strings.Contains(err.Error(), `bind "other"`) {
		t.Errorf("Swap onto a taken address: %v, want an error naming the bind", err)
	}
	if got := body(p.url + "/"); got != "two" || p.srv.Generation() != 2 {
		t.Errorf("after the failed swap: %q on generation %d, want two on 2", got, p.srv.Generation())
	}

	closeIdleClients() // or the removed bind's drain waits out its idle grace for them
	if ch, err = swap(doc(one, "")); err != nil || !slices.Equal(ch.BindsRemoved, []string{"admin"}) {
		t.Fatalf("Swap dropping admin: %+v, %v", ch, err)
	}
	// A removed bind's port is closed once Swap returns: a reload that
	// reports done has let go of it.
	if c, err := net.Dial("tcp", admin.String()); err == nil {
		c.Close()
		t.Errorf("the removed bind still accepts connections once Swap returned")
	}
	<-ch.OldPlanIdle
}
