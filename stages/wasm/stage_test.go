package wasm

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mothership-go/mothership/ja4h"
	"github.com/mothership-go/mothership/stages/wasm/wasmtest"
)

// data lays strings out from offset 0 and returns each one's offset and
// length as call arguments.
type data struct {
	b strings.Builder
}

func (d *data) at(s string) (int32, int32) {
	off := int32(d.b.Len())
	d.b.WriteString(s)
	return off, int32(len(s))
}

// scratch is where guests copy the host's bytes to: past any data.
const scratch = 4096

// echo is a body that copies what get (get_request or get_config) gives to
// scratch and blocks with status 200 and that as the body.
func echo(get string) []byte {
	// n = get_*(scratch, 60000) (get_request takes no arguments: then
	// read_request copies it).
	if get == "get_config" {
		return wasmtest.Code(wasmtest.I32(200), wasmtest.I32(scratch),
			wasmtest.I32(scratch), wasmtest.I32(60000), wasmtest.Call(fn("get_config")),
			wasmtest.Call(fn("set_block")))
	}
	return wasmtest.Code(wasmtest.I32(200), wasmtest.I32(scratch),
		wasmtest.I32(scratch), wasmtest.Call(fn("get_request")), wasmtest.Call(fn("read_request")),
		wasmtest.Call(fn("set_block")))
}

func TestRequestPhase(t *testing.T) {
	var d data
	noOff, noLen := d.at("no token")
	hdrOff, hdrLen := d.at(`{"WWW-Authenticate":"Bearer realm=\"ops\"","X-Guard":"1"}`)
	pathOff, pathLen := d.at("/internal/a b")
	nameOff, nameLen := d.at("X-Added")
	valOff, valLen := d.at("by the module")
	cookieOff, cookieLen := d.at("Cookie")
	badOff, badLen := d.at("Bad Name")
	layout := d.b.String()
	cases := []struct {
		name     string
		spec     modSpec
		target   string
		status   int
		body     string
		header   [][2]string // on the answer
		reached  bool
		check    func(t *testing.T, s *seen)
		anything bool
	}{
		{name: "a module that does nothing passes the request on", spec: modSpec{code: guest("on_request", "")},
			target: "/", status: 200, body: "from the target", reached: true},
		{name: "set_block answers at once", spec: modSpec{code: guest("on_request", layout, hostCall("set_block", 401, noOff, noLen))},
			target: "/admin", status: 401, body: "no token", header: [][2]string{{"Content-Type", "text/plain; charset=utf-8"}, {"Content-Length", "8"}}},
		{name: "set_action(1) blocks with a 403", spec: modSpec{code: guest("on_request", "", hostCall("set_action", 1))},
			target: "/", status: 403, body: ""},
		{name: "set_action(0) after set_block continues", spec: modSpec{code: guest("on_request", layout, hostCall("set_block", 401, noOff, noLen), hostCall("set_action", 0))},
			target: "/", status: 200, body: "from the target", reached: true},
		{name: "set_block_with_headers", spec: modSpec{code: guest("on_request", layout, hostCall("set_block_with_headers", 401, noOff, noLen, hdrOff, hdrLen))},
			target: "/", status: 401, body: "no token", header: [][2]string{{"Www-Authenticate", `Bearer realm="ops"`}, {"X-Guard", "1"}}},
		{name: "a route pattern that does not match skips the module", spec: modSpec{routes: []string{"/admin/.*"}, code: guest("on_request", "", hostCall("set_action", 1))},
			target: "/public/admin/", status: 200, body: "from the target", reached: true},
		{name: "set_path reaches the target escaped, with the query", spec: modSpec{code: guest("on_request", layout, hostCall("set_path", pathOff, pathLen))},
			target: "/x?page=2", status: 200, body: "from the target", reached: true, check: func(t *testing.T, s *seen) {
				if s.path != "/internal/a b" || s.raw != "/internal/a%20b" || s.target != "/internal/a%20b?page=2" {
					t.Errorf("set_path: the target got path %q, raw %q, target %q", s.path, s.raw, s.target)
				}
			}},
		{name: "request headers set and removed", spec: modSpec{code: guest("on_request", layout,
			hostCall("set_request_header", nameOff, nameLen, valOff, valLen), hostCall("remove_request_header", cookieOff, cookieLen))},
			target: "/", status: 200, body: "from the target", reached: true, check: func(t *testing.T, s *seen) {
				if s.header.Get("X-Added") != "by the module" || s.header.Has("Cookie") || s.header.Get("Accept") != "*/*" {
					t.Errorf("headers at the target: %v", s.header.Fields())
				}
			}},
		{name: "a response header set in the request phase goes on the answer", spec: modSpec{code: guest("on_request", layout,
			hostCall("set_response_header", nameOff, nameLen, valOff, valLen))},
			target: "/", status: 200, body: "from the target", reached: true, header: [][2]string{{"X-Added", "by the module"}}},
		{name: "get_config hands over the config as JSON", spec: modSpec{config: map[string]any{"realm": "ops", "n": 2}, code: guest("on_request", "", echo("get_config"))},
			target: "/", status: 200, body: `{"n":2,"realm":"ops"}`},
		{name: "the exchange's JSON, headers in wire order", spec: modSpec{code: guest("on_request", "", echo("get_request"))},
			target: "/a?b=1", status: 200,
			body: `{"method":"GET","path":"/a","query":"b=1","host":"example.com","scheme":"http","bind":"http","headers":[["Cookie","a=1"],["Accept","*/*"],["User-Agent","Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"]],"ua_class":"chromium"}`},
		{name: "a trap with on_error block answers 500", spec: modSpec{code: guest("on_request", "", wasmtest.Unreachable)},
			target: "/", status: 500, body: "500 internal error: a module failed on this request\n"},
		{name: "a trap with on_error continue passes the request on", spec: modSpec{onError: "continue", code: guest("on_request", "", wasmtest.Unreachable)},
			target: "/", status: 200, body: "from the target", reached: true},
		{name: "an endless loop is cut by the timeout", spec: modSpec{timeout: 20 * time.Millisecond, code: guest("on_request", "", wasmtest.Forever)},
			target: "/", status: 500, body: "500 internal error: a module failed on this request\n"},
		{name: "a header name that is not a token is a malformed call", spec: modSpec{code: guest("on_request", layout, hostCall("set_request_header", badOff, badLen, valOff, valLen))},
			target: "/", status: 500, body: "500 internal error: a module failed on this request\n"},
		{name: "memory out of range is a malformed call", spec: modSpec{code: guest("on_request", layout, hostCall("set_block", 401, 70000, 10))},
			target: "/", status: 500, body: "500 internal error: a module failed on this request\n"},
		{name: "a bad block status is a malformed call", spec: modSpec{code: guest("on_request", layout, hostCall("set_block", 42, noOff, noLen))},
			target: "/", status: 500, body: "500 internal error: a module failed on this request\n"},
	}
	for _, tc := range cases {
		tc.spec.name = "m"
		st := mustStage(t, tc.spec)
		x, rec := exchange(tc.target, "Cookie", "a=1", "Accept", "*/*", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
		var s seen
		st.Serve(x, backend{&s})
		if rec.Code != tc.status || string(rec.Body) != tc.body {
			t.Errorf("%s: got %d %q, want %d %q", tc.name, rec.Code, rec.Body, tc.status, tc.body)
		}
		if s.reached != tc.reached {
			t.Errorf("%s: the target was reached: %v, want %v", tc.name, s.reached, tc.reached)
		}
		for _, h := range tc.header {
			if got := rec.Header().Get(h[0]); got != h[1] {
				t.Errorf("%s: answer's %s is %q, want %q", tc.name, h[0], got, h[1])
			}
		}
		if tc.check != nil {
			tc.check(t, &s)
		}
	}
}

func TestResponsePhase(t *testing.T) {
	var d data
	nameOff, nameLen := d.at("X-Stamped")
	valOff, valLen := d.at("yes")
	rmOff, rmLen := d.at("X-From-Target")
	goneOff, goneLen := d.at("gone")
	layout := d.b.String()
	cases := []struct {
		name   string
		code   []byte
		status int
		body   string
		header map[string]string // "" for absent
	}{
		{"headers set and removed", guest("on_response", layout, hostCall("set_response_header", nameOff, nameLen, valOff, valLen), hostCall("remove_response_header", rmOff, rmLen)),
			200, "from the target", map[string]string{"X-Stamped": "yes", "X-From-Target": "", "Content-Type": "text/plain"}},
		{"a block replaces the target's answer", guest("on_response", layout, hostCall("set_block", 410, goneOff, goneLen)),
			410, "gone", map[string]string{"X-From-Target": "", "Content-Length": "4"}},
		{"the JSON has the status and the response headers", guest("on_response", "", echo("get_request")),
			200, `{"method":"GET","path":"/","host":"example.com","scheme":"http","bind":"http","ua_class":"bot","status":200,"response_headers":[["Content-Type","text/plain"],["X-From-Target","yes"]]}`, nil},
		{"set_path in the response phase is a malformed call", guest("on_response", layout, hostCall("set_path", goneOff, goneLen)),
			500, "500 internal error: a module failed on this request\n", map[string]string{"X-From-Target": ""}},
	}
	for _, tc := range cases {
		st := mustStage(t, modSpec{name: "stamp", phase: "response", code: tc.code})
		x, rec := exchange("/")
		var s seen
		st.Serve(x, backend{&s})
		if rec.Code != tc.status || string(rec.Body) != tc.body {
			t.Errorf("%s: got %d %q, want %d %q", tc.name, rec.Code, rec.Body, tc.status, tc.body)
		}
		for name, want := range tc.header {
			if got := rec.Header().Get(name); got != want {
				t.Errorf("%s: answer's %s is %q, want %q", tc.name, name, got, want)
			}
		}
		if x.Response != rec {
			t.Errorf("%s: the stage left its writer in the exchange", tc.name)
		}
	}
}

func TestModulesRunInDeclarationOrderAndABlockStopsTheRest(t *testing.T) {
	var d data
	nameOff, nameLen := d.at("X-Order")
	oneOff, oneLen := d.at("first")
	layout := d.b.String()
	st := mustStage(t,
		modSpec{name: "first", code: guest("on_request", layout, hostCall("set_request_header", nameOff, nameLen, oneOff, oneLen))},
		modSpec{name: "second", code: guest("on_request", "", echo("get_request"))},
		modSpec{name: "third", code: guest("on_request", "", wasmtest.Unreachable)},
	)
	x, rec := exchange("/")
	st.Serve(x, backend{&seen{}})
	if rec.Code != 200 || !strings.Contains(string(rec.Body), `["X-Order","first"]`) {
		t.Errorf("got %d %s, want the second module's echo of the first one's header", rec.Code, rec.Body)
	}
}

func TestAFailedInstanceIsDiscardedAndAGoodOneReused(t *testing.T) {
	s, probs := compileSet(t,
		modSpec{name: "good", code: guest("on_request", "")},
		modSpec{name: "bad", onError: "continue", code: guest("on_request", "", wasmtest.Unreachable)},
	)
	if probs != nil {
		t.Fatal(probs)
	}
	st := newStage(s)
	for range 3 {
		x, _ := exchange("/")
		st.Serve(x, backend{&seen{}})
	}
	idle := func(m *module) int { m.pool.mu.Lock(); defer m.pool.mu.Unlock(); return len(m.pool.idle) }
	if n := idle(s.mods[0]); n != 1 {
		t.Errorf("the good module has %d idle instances after three requests in a row, want its one reused", n)
	}
	if n := idle(s.mods[1]); n != 0 {
		t.Errorf("the trapping module kept %d instances, want each discarded", n)
	}
}

func TestConcurrentRequestsEachGetTheirOwnInstance(t *testing.T) {
	var d data
	nameOff, nameLen := d.at("X-Seen")
	valOff, valLen := d.at("yes")
	layout := d.b.String()
	st := mustStage(t,
		modSpec{name: "m", code: guest("on_request", layout, hostCall("set_request_header", nameOff, nameLen, valOff, valLen))},
		modSpec{name: "hw", abi: "http-wasm", code: hwGuest("", nil, 7<<32|1, nil)},
		modSpec{name: "resp", phase: "response", code: guest("on_response", layout, hostCall("set_response_header", nameOff, nameLen, valOff, valLen))},
	)
	const workers, each = 8, 50
	errs := make(chan string, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				x, rec := exchange("/")
				var s seen
				st.Serve(x, backend{&s})
				if rec.Code != 200 || s.header.Get("X-Seen") != "yes" || rec.Header().Get("X-Seen") != "yes" {
					errs <- fmt.Sprintf("%d %q, header at the target %q", rec.Code, rec.Body, s.header.Get("X-Seen"))
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a concurrent request: %s", e)
		break
	}
	for _, mod := range st.request {
		if n := len(mod.pool.slots); n != 0 {
			t.Errorf("%s: %d instances still out of the pool after every request ended", mod.name, n)
		}
	}
}

func TestMemoryCannotGrowPastTheLimit(t *testing.T) {
	// on_request: if memory.grow(pages) == -1 { set_block(507, 0, 0) }
	grows := func(pages int32) []byte {
		return guest("on_request", "", wasmtest.I32(pages), []byte{0x40, 0x00}, wasmtest.I32(-1), []byte{0x46, 0x04, 0x40},
			hostCall("set_block", 507, 0, 0), []byte{0x0b})
	}
	for _, tc := range []struct {
		name   string
		pages  int32
		status int
	}{
		{"within the limit", 10, 200},
		{"past it", 20, 507},
	} {
		st := mustStage(t, modSpec{name: "m", memory: 1 << 20, code: grows(tc.pages)}) // 16 pages
		x, rec := exchange("/")
		st.Serve(x, backend{&seen{}})
		if rec.Code != tc.status {
			t.Errorf("%s: memory.grow(%d) on 1 page of 16: got %d, want %d", tc.name, tc.pages, rec.Code, tc.status)
		}
	}
}

func TestTheExchangeJSONHasTheJA4H(t *testing.T) {
	st := mustStage(t, modSpec{name: "m", code: guest("on_request", "", echo("get_request"))})
	x, rec := exchange("/", "Accept", "*/*", "User-Agent", "curl/8")
	x.SetFingerprinter(&ja4h.Fingerprinter{})
	st.Serve(x, backend{&seen{}})
	if fp := string(x.JA4H()); fp == "" || !strings.Contains(string(rec.Body), `"ja4h":"`+fp+`"`) {
		t.Errorf("the JSON %s lacks the request's JA4H %q", rec.Body, fp)
	}
}
