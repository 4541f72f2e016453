package uplink

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

func up(name, url string) *manifest.Uplink {
	return &manifest.Uplink{Name: name, URL: url, Timeout: 2 * time.Second}
}

// closedPort returns a local address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestPlan(t *testing.T) {
	cases := []struct {
		url, key, target, err string
	}{
		{url: "postgres://db.internal/app", key: "db.internal:5432", target: "db.internal:5432"},
		{url: "postgresql://u:p@db:6000/app", key: "db:6000", target: "db:6000"},
		{url: "mysql://db", target: "db:3306", key: "db:3306"},
		{url: "redis://cache", target: "cache:6379", key: "cache:6379"},
		{url: "memgraph://g", target: "g:7687", key: "g:7687"},
		{url: "neo4j://[::1]", target: "[::1]:7687", key: "[::1]:7687"},
		{url: "tcp://10.0.0.1:9000", target: "10.0.0.1:9000", key: "10.0.0.1:9000"},
		{url: "https://u:p@api.example/health?token=t", target: "https://api.example/health", key: "https://api.example/health?token=t"},
		{url: "tcp://10.0.0.1", err: "needs a port"},
		{url: "ftp://files", err: `scheme "ftp"`},
		{url: "redis:///0", err: "no host"},
		{url: "postgres://u:secret@db:port/x", err: "does not parse"},
	}
	for _, c := range cases {
		p, err := plan(c.url)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("plan(%q) error = %v, want one saying %q", c.url, err, c.err)
			}
			continue
		}
		if err != nil || p.key != c.key || p.target != c.target {
			t.Errorf("plan(%q) = key %q target %q, %v; want %q, %q", c.url, p.key, p.target, err, c.key, c.target)
		}
	}
}

// TestLocalServices checks the database and cache servers the development
// machine runs; each subtest skips, naming how to start it, when it is absent.
func TestLocalServices(t *testing.T) {
	services := []struct{ name, url, start string }{
		{"PostgreSQL", "postgres://postgres:secret@127.0.0.1:5432/test", "pg_ctlcluster 15 main start"},
		{"Redis", "redis://127.0.0.1:6379/0", "redis-server --daemonize yes"},
		{"MariaDB", "mysql://root:secret@127.0.0.1:3306/test", "service mariadb start"},
	}
	for _, s := range services {
		t.Run(s.name, func(t *testing.T) {
			p, _ := plan(s.url)
			if c, err := net.DialTimeout("tcp", p.target, time.Second); err != nil {
				t.Skipf("%s is not listening on %s; start it (%s)", s.name, p.target, s.start)
			} else {
				c.Close()
			}
			rs := Check(t.Context(), []*manifest.Uplink{up(s.name, s.url)})
			if rs[0].Err != nil || rs[0].Target != p.target {
				t.Errorf("Check = %+v, want %s ok", rs[0], p.target)
			}
		})
	}
}

func TestClosedPortFailsFast(t *testing.T) {
	addr := closedPort(t)
	start := time.Now()
	rs := Check(t.Context(), []*manifest.Uplink{up("db", "postgres://"+addr+"/x")})
	if rs[0].Err == nil || !strings.Contains(rs[0].Err.Error(), "connection refused") {
		t.Fatalf("Err = %v, want connection refused", rs[0].Err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("a refused connection took %v to report", d)
	}
}

func TestHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/broken", http.StatusFound) })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	slow := up("slow", srv.URL+"/slow")
	slow.Timeout = 200 * time.Millisecond
	rs := Check(t.Context(), []*manifest.Uplink{
		up("ok", srv.URL+"/ok"),
		up("moved", srv.URL+"/moved"),
		up("broken", srv.URL+"/broken"),
		slow,
		up("closed", "http://"+closedPort(t)+"/"),
	})
	want := []string{"", "", "HTTP 500 Internal Server Error", "no answer within 200ms", "connection refused"}
	for i, r := range rs {
		if got := errText(r.Err); want[i] == "" && got != "" || !strings.Contains(got, want[i]) {
			t.Errorf("%s: Err = %q, want %q", r.Name, got, want[i])
		}
	}
	if took := rs[3].Took; took < 200*time.Millisecond || took > time.Second {
		t.Errorf("the slow check took %v, want about its 200ms timeout", took)
	}
}

func TestDedup(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().String()
	web := up("web", "http://"+addr+"/") // an HTTP check is another check
	web.Timeout = 200 * time.Millisecond // nothing answers it
	rs := Check(t.Context(), []*manifest.Uplink{
		up("primary", "postgres://"+addr+"/app_production"),
		up("replica", "postgresql://other:pw@"+addr+"/app_replica"),
		web,
	})
	if rs[0].Shared || !rs[1].Shared || rs[2].Shared {
		t.Errorf("Shared = %v %v %v, want false true false", rs[0].Shared, rs[1].Shared, rs[2].Shared)
	}
	if rs[0].Err != nil || rs[1].Err != nil || rs[1].Took != rs[0].Took {
		t.Errorf("results = %+v, want the replica to report the primary's check", rs[:2])
	}
	// The kernel completes a handshake without Accept, so the queue holds
	// every connection the checks opened: one TCP, one HTTP.
	l.(*net.TCPListener).SetDeadline(time.Now().Add(200 * time.Millisecond))
	n := 0
	for {
		c, err := l.Accept()
		if err != nil {
			break
		}
		c.Close()
		n++
	}
	if n != 2 {
		t.Errorf("%d connections reached the listener, want 2 (one TCP check, one HTTP)", n)
	}
}

func TestNoCredentialsInOutput(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	closed := closedPort(t)
	ups := []*manifest.Uplink{
		up("db", "postgres://user:secret@"+closed+"/db"),
		up("api", "http://user:secret@"+host+"/health?key=secret"),
		up("down", "https://user:secret@"+closed+"/"),
		up("typo", "postgres://user:secret@db:port/x"),
		up("odd", "ftp://user:secret@files/"),
	}
	var table bytes.Buffer
	err := Verify(t.Context(), &table, ups)
	if err == nil {
		t.Fatal("Verify passed uplinks that are down")
	}
	out := table.String() + err.Error()
	if strings.Contains(out, "secret") {
		t.Errorf("credentials leaked:\n%s", out)
	}
	for _, u := range ups {
		if !strings.Contains(err.Error(), "uplink "+u.Name) {
			t.Errorf("Verify's error does not name %s: %v", u.Name, err)
		}
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	WriteTable(&b, []Result{
		{Name: "primary", Target: "127.0.0.1:5432", Took: 1234 * time.Microsecond},
		{Name: "replica", Target: "127.0.0.1:5432", Took: 1234 * time.Microsecond, Shared: true},
		{Name: "cache", Target: "127.0.0.1:6379", Err: errors.New("connect:\nconnection refused"), Took: 87 * time.Microsecond},
	})
	want := "" +
		"UPLINK   TARGET          RESULT                       TIME\n" +
		"primary  127.0.0.1:5432  ok                           1.2ms\n" +
		"replica  127.0.0.1:5432  ok                           shared\n" +
		"cache    127.0.0.1:6379  connect: connection refused  87µs\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	WriteTable(&b, nil)
	if err := Verify(context.Background(), &b, nil); err != nil || b.Len() != 0 {
		t.Errorf("no uplinks: wrote %q, error %v; want nothing", b.String(), err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
