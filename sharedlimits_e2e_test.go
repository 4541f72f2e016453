package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mothership-go/mothership/control"
)

// storeProxy is a TCP proxy to the machine's Redis that the test can cut
// and restore, standing for Redis going away and coming back.
type storeProxy struct {
	t     *testing.T
	addr  string
	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func newStoreProxy(t *testing.T) *storeProxy {
	p := &storeProxy{t: t, addr: fmt.Sprintf("127.0.0.1:%d", freePort(t))}
	p.restore()
	t.Cleanup(p.cut)
	return p
}

// restore listens again and forwards every connection to Redis.
func (p *storeProxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r, err := net.Dial("tcp", "127.0.0.1:6379")
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, r)
			p.mu.Unlock()
			go func() { io.Copy(r, c); r.Close() }()
			go func() { io.Copy(c, r); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection: the store is unreachable.
func (p *storeProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// awayFromMinuteBoundary waits, if the current per-IP window (a wall-clock
// minute) ends within a few seconds, for the next one to start: a burst
// that straddles two windows may get both windows' counts.
func awayFromMinuteBoundary() {
	if left := time.Minute - time.Duration(time.Now().UnixNano()%int64(time.Minute)); left < 5*time.Second {
		time.Sleep(left + 200*time.Millisecond)
	}
}

// burst sends count requests round robin over the servers, as the
// clients ips in turn (through the trusted proxy header), with the extra
// header fields, and returns the 200s per server.
func burst(t *testing.T, urls []string, count int, ips []string, header ...string) []int {
	t.Helper()
	ok := make([]int, len(urls))
	for i := range count {
		start := time.Now()
		code, _ := get(t, urls[i%len(urls)]+"/health", append([]string{"X-Forwarded-For", ips[i%len(ips)]}, header...)...)
		switch {
		case code == 200:
			ok[i%len(urls)]++
		case code != 429:
			t.Fatalf("request %d to %s: status %d, want 200 or 429", i, urls[i%len(urls)], code)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("request %d took %v", i, d)
		}
	}
	return ok
}

// motherships are servers of one deployment under test, each with its
// own bind, metrics port and directory.
type motherships struct {
	urls, metrics, dirs []string
	runs                []*voyageUnderTest
}

// startMotherships runs n motherships of the manifest that mothership
// writes for a metrics port and an HTTP port, with their control sockets
// in their directories.
func startMotherships(t *testing.T, n int, manifest func(metricsPort, httpPort int) string) *motherships {
	t.Helper()
	ms := &motherships{}
	for range n {
		dir := t.TempDir()
		httpPort, metricsPort := freePort(t), freePort(t)
		writeManifest(t, dir, manifest(metricsPort, httpPort))
		ms.runs = append(ms.runs, startRunIn(t, dir, noRuntimeDir))
		ms.dirs = append(ms.dirs, dir)
		ms.urls = append(ms.urls, fmt.Sprintf("http://127.0.0.1:%d", httpPort))
		ms.metrics = append(ms.metrics, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	}
	for i := range ms.runs {
		waitMetric(t, ms.metrics[i], fmt.Sprintf("mothership_ratelimit_servers %d", n), 15*time.Second)
	}
	return ms
}

// sharedManifest is startMotherships' manifest of a deployment sharing
// its rate limits (limits, before the store's keys) through the store at
// addr under prefix, trusting X-Forwarded-For from loopback, with the
// extra tables, and one ship behind every path.
func sharedManifest(limits, addr, prefix, extra string) func(metricsPort, httpPort int) string {
	return func(metricsPort, httpPort int) string {
		return fmt.Sprintf(`
[mothership]
metrics_port = %d
trusted_proxies = ["127.0.0.1"]
rate_limiting = { %sstore = "redis://%s/0", prefix = "%s", sync_interval = "100ms" }
%s
[mothership.bind]
http = "127.0.0.1:%d"

[[fleet.web]]
name = "app"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ pattern = "/.*" }]
`, metricsPort, limits, addr, prefix, extra, httpPort)
	}
}

// skipWithoutRedis skips a test when the machine's Redis is not running.
func skipWithoutRedis(t *testing.T) {
	t.Helper()
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		t.Skipf("no Redis on 127.0.0.1:6379 (.ci/run starts it): %v", err)
	} else {
		c.Close()
	}
}

// TestSharedRateLimitsAcrossThreeMotherships runs three motherships, each
// with its own bind, sharing per_ip_rpm = 30 through the machine's Redis:
// one client spreading over all three gets the limit plus at most the
// README's bound (30 + 2×10) in a window, not three times it; with the
// store cut each server still serves and limits to 30/3; with it back the
// limit is shared again, without a restart.
func TestSharedRateLimitsAcrossThreeMotherships(t *testing.T) {
	skipWithoutRedis(t)
	const limit, servers, bound = 30, 3, 30 + 2*10
	proxy := newStoreProxy(t)
	prefix := fmt.Sprintf("mse2e:%d:", time.Now().UnixNano())
	ms := startMotherships(t, servers, sharedManifest(fmt.Sprintf("per_ip_rpm = %d, ", limit), proxy.addr, prefix, ""))
	urls, metrics, runs := ms.urls, ms.metrics, ms.runs

	awayFromMinuteBoundary()
	failed := syncFailures(t, metrics)
	ok := burst(t, urls, 3*limit, []string{"198.51.100.1"})
	if got := sumInts(ok); got < lowBound(t, metrics, failed, limit-servers) || got > bound {
		t.Errorf("shared: the three servers admitted %d (%v) of one client's requests in a window; want %d to %d", got, ok, limit-servers, bound)
	}

	proxy.cut()
	for _, v := range runs {
		v.waitFor(t, "the store is unreachable", 5*time.Second)
	}
	awayFromMinuteBoundary()
	ok = burst(t, urls, 3*limit, []string{"198.51.100.2"})
	for i, n := range ok {
		if n < 1 || n > limit/servers {
			t.Errorf("store gone: server %d admitted %d; want it to serve, and at most %d/%d = %d", i, n, limit, servers, limit/servers)
		}
	}

	proxy.restore()
	for _, v := range runs {
		v.waitFor(t, "the store is back", 5*time.Second)
	}
	// The servers may have gone stale in the store while it was cut: then
	// the first back counted itself alone, the next two, and each knows
	// all three only from its next sync (until then the bound is the
	// README's for an underestimated N, 30 + 30 + 15).
	for i := range metrics {
		waitMetric(t, metrics[i], fmt.Sprintf("mothership_ratelimit_servers %d", servers), 5*time.Second)
	}
	awayFromMinuteBoundary()
	failed = syncFailures(t, metrics)
	ok = burst(t, urls, 3*limit, []string{"198.51.100.3"})
	if got := sumInts(ok); got < lowBound(t, metrics, failed, limit-servers) || got > bound {
		t.Errorf("store back: the three servers admitted %d (%v); want %d to %d", got, ok, limit-servers, bound)
	}
	for i, v := range runs {
		if n := strings.Count(v.output(), "the store is unreachable"); n != 1 {
			t.Errorf("server %d logged the store going %d times, want once", i, n)
		}
	}
	// A server that lands leaves the live set (it takes itself out, or goes
	// stale within two seconds): the others count two, and it logs no store
	// trouble on the way out.
	runs[2].cmd.Process.Signal(syscall.SIGTERM)
	if code := runs[2].exit(t, 10*time.Second); code != 0 {
		t.Errorf("the third server exited %d", code)
	}
	waitMetric(t, metrics[0], "mothership_ratelimit_servers 2", 3*time.Second)
	if n := strings.Count(runs[2].output(), "the store is unreachable"); n != 1 {
		t.Errorf("the third server logged the store going %d times, want once", n)
	}
	for i := range metrics[:2] {
		_, body := get(t, metrics[i])
		for _, want := range []string{`mothership_ratelimit_limited_total{limiter="per_ip",rule=""}`, "mothership_ratelimit_sync_failures_total"} {
			if !strings.Contains(body, want) {
				t.Errorf("server %d: /metrics lacks %s", i, want)
			}
		}
	}
}

// TestSharedShieldRateAcrossThreeMotherships runs three motherships
// sharing a shield rule's rate = "30/min" through the machine's Redis:
// one fingerprint, from several addresses spread over all three, gets
// the rate plus at most the README's bound (30 + 2×10) in a window, then
// the rule's 429; `status` shows each server the deployment; with the
// store cut each server limits on its own, to its share, and `status`
// says it is in fallback.
func TestSharedShieldRateAcrossThreeMotherships(t *testing.T) {
	skipWithoutRedis(t)
	const limit, servers, bound = 30, 3, 30 + 2*10
	proxy := newStoreProxy(t)
	prefix := fmt.Sprintf("mse2e:%d:", time.Now().UnixNano())
	ms := startMotherships(t, servers, sharedManifest("", proxy.addr, prefix, fmt.Sprintf(`
[[mothership.shields]]
name = "plain-gets"
ja4h_prefix = "ge11nn"
rate = "%d/min"
`, limit)))
	clients := []string{"198.51.100.1", "198.51.100.2", "203.0.113.7", "2001:db8::1"}

	awayFromMinuteBoundary()
	failed := syncFailures(t, ms.metrics)
	ok := burst(t, ms.urls, 3*limit, clients, "X-Phase-Shared", "1")
	if got := sumInts(ok); got < lowBound(t, ms.metrics, failed, limit-servers) || got > bound {
		t.Errorf("shared: the three servers let %d (%v) of one fingerprint's requests through in a window; want %d to %d", got, ok, limit-servers, bound)
	}
	// A sync that times out on a loaded machine is a failure like any
	// other: the view is polled until it shows the deployment shared.
	storeURL := "redis://" + proxy.addr + "/0"
	for i, dir := range ms.dirs {
		waitStatus(t, dir, fmt.Sprintf("server %d shares with %d servers through %s, synced within 2s", i, servers, storeURL), func(st control.Status, _ string) bool {
			d := st.Deployment
			return d != nil && d.Store == storeURL && d.Servers == servers && d.Syncs > 0 && !d.Fallback && d.LastSyncAge < 2
		})
	}
	line := regexp.MustCompile(`(?m)^deployment ` + regexp.QuoteMeta(storeURL) + ` · 3 servers · synced \d+(ms|s) ago · \d+ syncs, \d+ failed$`)
	waitStatus(t, ms.dirs[0], "status says "+line.String(), func(_ control.Status, text string) bool { return line.MatchString(text) })

	proxy.cut()
	for _, v := range ms.runs {
		v.waitFor(t, "the store is unreachable", 5*time.Second)
	}
	awayFromMinuteBoundary()
	ok = burst(t, ms.urls, 3*limit, clients, "X-Phase-Cut", "1")
	for i, n := range ok {
		if n < 1 || n > limit/servers {
			t.Errorf("store gone: server %d let %d through; want it to serve, and at most %d/%d = %d", i, n, limit, servers, limit/servers)
		}
	}
	waitStatus(t, ms.dirs[1], fmt.Sprintf("store gone: fallback, failures counted, the last %d servers and the error", servers), func(st control.Status, text string) bool {
		d := st.Deployment
		return d != nil && d.Fallback && d.Failures > 0 && d.Servers == servers && d.LastError != "" &&
			strings.Contains(text, "· FALLBACK: the store is unreachable, each server limits to its share of 3 ·")
	})
	for i := range ms.metrics {
		if _, body := get(t, ms.metrics[i]); !strings.Contains(body, `mothership_ratelimit_limited_total{limiter="shield",rule="plain-gets"}`) {
			t.Errorf("server %d: /metrics lacks the rule's limited answers", i)
		}
	}
}

// waitStatus polls `status --json` and `status` in dir until ok holds of
// them, and fails the test, saying what it waited for, after 5 seconds.
func waitStatus(t *testing.T, dir, what string, ok func(st control.Status, text string) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := statusJSON(t, dir)
		code, text, stderr := mothership(t, dir, "status")
		if code == 0 && ok(st, text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for %s; last status (exit %d):\n%s%s\n%+v", what, code, text, stderr, st.Deployment)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// syncFailures is the sum of the servers' failed syncs so far.
func syncFailures(t *testing.T, metrics []string) int {
	return metricSum(t, metrics, "mothership_ratelimit_sync_failures_total")
}

// metricSum is the sum over the servers of the unlabelled series name.
func metricSum(t *testing.T, metrics []string, name string) (n int) {
	t.Helper()
	for _, url := range metrics {
		_, body := get(t, url)
		for _, line := range strings.Split(body, "\n") {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				f, _ := strconv.ParseFloat(v, 64)
				n += int(f)
			}
		}
	}
	return n
}

// lowBound is the fewest a burst must get through, low, when no sync
// failed since there were failed; after a failed sync, one: a sync that
// timed out on a loaded machine may have reserved a share in the store
// that its server then never used, so the deployment admits less than
// the limit (never more). It first waits for two more syncs of every
// server, so that a sync under way during the burst has ended.
func lowBound(t *testing.T, metrics []string, failed, low int) int {
	t.Helper()
	syncs := metricSum(t, metrics, "mothership_ratelimit_syncs_total")
	deadline := time.Now().Add(5 * time.Second)
	for metricSum(t, metrics, "mothership_ratelimit_syncs_total") < syncs+2*len(metrics) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if syncFailures(t, metrics) > failed {
		return 1
	}
	return low
}

// waitMetric waits until the metrics page at url has a line starting with
// line.
func waitMetric(t *testing.T, url, line string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if resp, err := httpGet(url); err == nil && strings.Contains("\n"+resp, "\n"+line+"\n") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: no %q within %v", url, line, within)
}

func httpGet(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func sumInts(xs []int) (s int) {
	for _, x := range xs {
		s += x
	}
	return s
}
