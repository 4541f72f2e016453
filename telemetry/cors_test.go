package telemetry

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/proxy"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// TestCORSCacheMetrics runs preflights through a proxy.Server observed by
// Metrics and scrapes the CORS cache's counters.
func TestCORSCacheMetrics(t *testing.T) {
	backend := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.WriteHeader(http.StatusNoContent)
	})}
	bl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go backend.Serve(bl)
	t.Cleanup(func() { backend.Close() })
	doc := "[mothership.cors_cache]\nenabled = true\nmax_entries = 1\n\n[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n" +
		"[[fleet.web]]\nname = \"app\"\ncommand = \"app\"\nbind = \"" + bl.Addr().String() + "\"\nroutes = [{ path_prefix = \"/\" }]\n"
	mf, err := manifest.Parse("test.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	mf.Mothership.Binds[0].Addr.Address = "127.0.0.1:0"
	tree, err := routetree.Compile(mf)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics()
	s, err := proxy.New(mf, tree, proxy.Options{Resolve: upstream.ManifestResolver(mf), Observer: m})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections) // before the drain, which would wait out its idle grace for them
	client := &http.Client{Timeout: 5 * time.Second, Transport: tr}
	for _, path := range []string{"/a", "/a", "/b", "/b", "/a"} { // miss, hit, miss (evicts /a), hit, miss (evicts /b)
		req, _ := http.NewRequest("OPTIONS", "http://"+s.Addr("http").String()+path, nil)
		req.Header.Set("Origin", "https://a.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	fams := scrape(t, serve(t, m.Handler()))
	for _, tc := range []struct {
		name   string
		metric string
		want   float64
	}{
		{"hits", "mothership_cors_cache_hits_total", 2},
		{"misses", "mothership_cors_cache_misses_total", 3},
		{"stores", "mothership_cors_cache_stores_total", 3},
		{"evictions", "mothership_cors_cache_evictions_total", 2},
	} {
		got, ok := value(fams, tc.metric, map[string]string{})
		if !ok || got != tc.want {
			t.Errorf("%s: %s = %v (present %v), want %v", tc.name, tc.metric, got, ok, tc.want)
		}
	}
	// A second server on the same Metrics shares the counters.
	if m.CORSCache() == nil {
		t.Errorf("CORSCache on registered counters returned nil")
	}
}

func TestCORSCacheCountersDoNotAllocate(t *testing.T) {
	o := NewMetrics().CORSCache()
	for _, c := range []struct {
		name string
		f    func()
	}{{"hit", o.CORSCacheHit}, {"miss", o.CORSCacheMiss}, {"store", o.CORSCacheStore}, {"eviction", o.CORSCacheEviction}} {
		if a := testing.AllocsPerRun(1000, c.f); a != 0 {
			t.Errorf("%s: %v allocs", c.name, a)
		}
	}
}
