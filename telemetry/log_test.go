package telemetry

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewLogFormat(t *testing.T) {
	tests := []struct {
		format string
		ok     bool
	}{
		{"text", true},
		{"json", true},
		{"", false},
		{"JSON", false},
		{"logfmt", false},
	}
	for _, tc := range tests {
		l, err := NewLog(&bytes.Buffer{}, tc.format, false)
		if tc.ok {
			if err != nil || l == nil {
				t.Errorf("format %q: %v", tc.format, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("format %q: no error", tc.format)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, fmt.Sprintf("%q", tc.format)) || !strings.Contains(msg, `"text"`) || !strings.Contains(msg, `"json"`) {
			t.Errorf("format %q: error %q does not name it and the valid formats", tc.format, msg)
		}
	}
}

func TestLogText(t *testing.T) {
	web := "\x1b[" + nameColor("web") + "m"
	tests := []struct {
		name  string
		color bool
		debug bool
		run   func(l *Log)
		want  string
	}{
		{
			name: "process line",
			run:  func(l *Log) { l.Output("web", "stdout", "listening on :3000") },
			want: "web | listening on :3000\n",
		},
		{
			name: "padded to the longest name so far",
			run: func(l *Log) {
				l.Output("web", "stdout", "a")
				l.Output("postgres", "stderr", "b")
				l.Output("web", "stdout", "c")
			},
			want: "web | a\npostgres | b\nweb      | c\n",
		},
		{
			name: "padding stops at 16",
			run: func(l *Log) {
				l.Output("a-process-with-a-long-name", "stdout", "a")
				l.Output("web", "stdout", "b")
			},
			want: "a-process-with-a-long-name | a\nweb              | b\n",
		},
		{
			name: "event at info",
			run:  func(l *Log) { l.Info("launched", "ships", 3, "took", 1500*time.Millisecond) },
			want: "mothership | INF launched ships=3 took=1.5s\n",
		},
		{
			name: "fleet event at warn",
			run:  func(l *Log) { l.Event("warn", "health check failed", "process", "web") },
			want: "mothership | WRN health check failed process=web\n",
		},
		{
			name: "event padded with the processes",
			run: func(l *Log) {
				l.Output("elasticsearch-1", "stdout", "up")
				l.Error("exited", "process", "elasticsearch-1")
			},
			want: "elasticsearch-1 | up\nmothership      | ERR exited process=elasticsearch-1\n",
		},
		{
			// zerolog's console quoting: a value with a space, a quote, a
			// backslash, a control character or a byte past ASCII is
			// quoted; invalid UTF-8 became U+FFFD in the JSON.
			name: "quoting",
			run: func(l *Log) {
				l.Error("crashed", "err", errors.New("exit status 1"), "empty", "", "eq", "a=b",
					"quote", `say "hi"`, "nl", "a\nb", "bad", "\xff", "plain", "ünïcode", "state", stateLike("ready"))
			},
			want: `mothership | ERR crashed err="exit status 1" empty="" eq=a=b quote="say \"hi\"" nl="a\nb" bad="�" plain="ünïcode" state=ready` + "\n",
		},
		{
			name: "odd key values",
			run:  func(l *Log) { l.Info("x", "a", 1, "lonely") },
			want: "mothership | INF x a=1 !BADKEY=lonely\n",
		},
		{
			name: "debug dropped by default",
			run:  func(l *Log) { l.Debug("probe", "n", 1); l.Event("debug", "probe") },
			want: "",
		},
		{
			name:  "debug when set",
			debug: true,
			run:   func(l *Log) { l.Debug("probe", "n", 1) },
			want:  "mothership | DBG probe n=1\n",
		},
		{
			name:  "colored process name",
			color: true,
			run: func(l *Log) {
				l.Output("web", "stdout", "a")
				l.Output("postgres", "stdout", "b")
				l.Output("web", "stdout", "c")
			},
			want: web + "web\x1b[0m | a\n" +
				"\x1b[" + nameColor("postgres") + "mpostgres\x1b[0m | b\n" +
				web + "web\x1b[0m      | c\n",
		},
		{
			name:  "colored fields",
			color: true,
			run:   func(l *Log) { l.Info("up", "ships", 2) },
			want:  "\x1b[1mmothership\x1b[0m | \x1b[32mINF\x1b[0m \x1b[1mup\x1b[0m \x1b[36mships=\x1b[0m2\n",
		},
		{
			name: "fields in the caller's order, not sorted",
			run:  func(l *Log) { l.Info("reloaded", "generation", 2, "routes", "2 → 4", "binds_added", "-") },
			want: "mothership | INF reloaded generation=2 routes=\"2 → 4\" binds_added=-\n",
		},
		{
			name:  "colored levels",
			color: true,
			run:   func(l *Log) { l.Info("up"); l.Warn("slow"); l.Error("down") },
			want: "\x1b[1mmothership\x1b[0m | \x1b[32mINF\x1b[0m \x1b[1mup\x1b[0m\n" +
				"\x1b[1mmothership\x1b[0m | \x1b[33mWRN\x1b[0m \x1b[1mslow\x1b[0m\n" +
				"\x1b[1mmothership\x1b[0m | \x1b[31mERR\x1b[0m \x1b[1mdown\x1b[0m\n",
		},
	}
	// zerolog's console writer leaves color out when NO_COLOR is set.
	t.Setenv("NO_COLOR", "")
	for _, tc := range tests {
		var buf bytes.Buffer
		l, err := NewLog(&buf, "text", tc.color)
		if err != nil {
			t.Fatal(err)
		}
		l.SetDebug(tc.debug)
		tc.run(l)
		if got := buf.String(); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// stateLike stands for the named string types, such as fleet.State, that
// callers pass as values.
type stateLike string

func TestNameColorStable(t *testing.T) {
	tests := []struct{ name, want string }{
		// Pinned, so that a change of hash or palette, which repaints every
		// user's fleet, is a decision and not an accident.
		{"web", nameColor("web")},
		{"", palette[0x811c9dc5%uint32(len(palette))]},
	}
	for _, tc := range tests {
		if got := nameColor(tc.name); got != tc.want {
			t.Errorf("%q: color %s, want %s", tc.name, got, tc.want)
		}
	}
	seen := map[string]bool{}
	for _, n := range []string{"web", "worker", "postgres", "redis", "sidekiq", "migrate", "app", "api"} {
		seen[nameColor(n)] = true
	}
	if len(seen) < 3 {
		t.Errorf("8 names share %d colors", len(seen))
	}
}

func TestLogJSON(t *testing.T) {
	tests := []struct {
		name  string
		debug bool
		run   func(l *Log)
		want  []map[string]any // without "time"
	}{
		{
			name: "process lines",
			run: func(l *Log) {
				l.Output("web", "stdout", "the line")
				l.Output("web", "stderr", "oops")
			},
			want: []map[string]any{
				{"process": "web", "stream": "stdout", "message": "the line"},
				{"process": "web", "stream": "stderr", "message": "oops"},
			},
		},
		{
			name: "event",
			run:  func(l *Log) { l.Event("info", "state", "process", "web", "state", stateLike("ready")) },
			want: []map[string]any{{"level": "info", "message": "state", "process": "web", "state": "ready"}},
		},
		{
			name: "value types",
			run: func(l *Log) {
				l.Warn("v", "int", 3, "neg", int64(-2), "uint", uint64(7), "float", 0.25, "nan", 0.0/zero(),
					"bool", true, "nil", nil, "err", errors.New("boom"), "dur", 2*time.Second, "lonely")
			},
			want: []map[string]any{{
				"level": "warn", "message": "v", "int": 3.0, "neg": -2.0, "uint": 7.0, "float": 0.25, "nan": "NaN",
				"bool": true, "nil": nil, "err": "boom", "dur": "2s", "!BADKEY": "lonely",
			}},
		},
		{
			name: "reserved keys kept apart",
			run:  func(l *Log) { l.Error("e", "message", "m", "time", "t", "level", "l") },
			want: []map[string]any{{"level": "error", "message": "e", "fields.message": "m", "fields.time": "t", "fields.level": "l"}},
		},
		{
			name: "escaping and invalid UTF-8",
			run:  func(l *Log) { l.Output("we\"b", "stdout", "a\x00b\nc\t\"q\" \\ \xff\xfe ok é \u2028 \x1b[31mred") },
			want: []map[string]any{{"process": "we\"b", "stream": "stdout", "message": "a\x00b\nc\t\"q\" \\ \ufffd\ufffd ok é \u2028 \x1b[31mred"}},
		},
		{
			name: "debug dropped by default",
			run:  func(l *Log) { l.Debug("probe") },
		},
		{
			name:  "debug when set",
			debug: true,
			run:   func(l *Log) { l.Debug("probe") },
			want:  []map[string]any{{"level": "debug", "message": "probe"}},
		},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		l, err := NewLog(&buf, "json", true)
		if err != nil {
			t.Fatal(err)
		}
		l.SetDebug(tc.debug)
		tc.run(l)
		lines := strings.SplitAfter(buf.String(), "\n")
		lines = lines[:len(lines)-1] // after the last newline
		if len(lines) != len(tc.want) {
			t.Errorf("%s: %d lines, want %d:\n%s", tc.name, len(lines), len(tc.want), buf.String())
			continue
		}
		for i, line := range lines {
			if strings.Contains(line, "\x1b") {
				t.Errorf("%s: line %d has a raw escape, color must not apply to JSON: %q", tc.name, i, line)
			}
			got := decodeLine(t, tc.name, line)
			if got == nil {
				continue
			}
			delete(got, "time")
			if !equalJSON(got, tc.want[i]) {
				t.Errorf("%s: line %d\ngot  %v\nwant %v", tc.name, i, got, tc.want[i])
			}
		}
	}
}

func zero() float64 { return 0 }

// decodeLine parses one JSON line and checks its time; it reports and
// returns nil when the line is not valid.
func decodeLine(t *testing.T, name, line string) map[string]any {
	t.Helper()
	if !json.Valid([]byte(line)) {
		t.Errorf("%s: not valid JSON: %q", name, line)
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Errorf("%s: %v: %q", name, err, line)
		return nil
	}
	ts, _ := m["time"].(string)
	if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
		t.Errorf("%s: time %q: %v", name, ts, err)
	}
	return m
}

func equalJSON(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// FuzzLogJSONString logs any line a process could write as JSON: the
// line must be valid JSON and read back as encoding/json reads the same
// string, invalid UTF-8 included.
func FuzzLogJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\/", "\x00\x01\x1f\x7f", "\xff", "a\xc3", "é\u2028\U0001F680", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		l, err := NewLog(&buf, "json", false)
		if err != nil {
			t.Fatal(err)
		}
		l.Output("web", "stdout", s)
		var back struct{ Message string }
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatalf("%q gives invalid JSON %s: %v", s, buf.Bytes(), err)
		}
		// encoding/json is the reference for what invalid UTF-8 becomes.
		ref, _ := json.Marshal(s)
		var want string
		json.Unmarshal(ref, &want)
		if back.Message != want {
			t.Fatalf("%q reads back as %q, want %q", s, back.Message, want)
		}
	})
}

// syncCheck fails when two Writes overlap; the Log must serialize them.
type syncCheck struct {
	mu  sync.Mutex
	in  bool
	buf bytes.Buffer
	bad bool
}

func (w *syncCheck) Write(p []byte) (int, error) {
	w.mu.Lock()
	if w.in {
		w.bad = true
	}
	w.in = true
	w.mu.Unlock()
	time.Sleep(0) // a yield, so that an unserialized writer would show
	w.mu.Lock()
	defer w.mu.Unlock()
	w.in = false
	if len(p) == 0 || p[len(p)-1] != '\n' || bytes.IndexByte(p, '\n') != len(p)-1 {
		w.bad = true
	}
	return w.buf.Write(p)
}

func TestLogConcurrentWholeLines(t *testing.T) {
	const goroutines, perG = 8, 1000
	payload := strings.Repeat("x", 200)
	for _, format := range []string{"text", "json"} {
		w := &syncCheck{}
		l, err := NewLog(w, format, false)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				name := fmt.Sprintf("g%d", g)
				for i := range perG {
					if i%2 == 0 {
						l.Output(name, "stdout", fmt.Sprintf("%d %s", i, payload))
					} else {
						l.Info("tick", "g", name, "i", i)
					}
				}
			})
		}
		wg.Wait()
		if w.bad {
			t.Errorf("%s: overlapping or partial writes", format)
		}
		next := map[string]int{}
		n := 0
		sc := bufio.NewScanner(&w.buf)
		for sc.Scan() {
			line := sc.Text()
			n++
			var g string
			var i int
			if format == "json" {
				m := decodeLine(t, format, line)
				if m == nil {
					continue
				}
				if m["process"] != nil {
					g = m["process"].(string)
					fmt.Sscanf(m["message"].(string), "%d", &i)
					if m["message"] != fmt.Sprintf("%d %s", i, payload) {
						t.Errorf("json: torn message %q", line)
					}
				} else {
					g, i = m["g"].(string), int(m["i"].(float64))
				}
			} else {
				var rest string
				if _, err := fmt.Sscanf(line, "g%s | %d %s", &g, &i, &rest); err == nil && rest == payload {
					g = "g" + g
				} else if _, err := fmt.Sscanf(line, "mothership | INF tick g=%s i=%d", &g, &i); err != nil {
					t.Errorf("text: torn line %q", line)
					continue
				}
			}
			if i != next[g] {
				t.Errorf("%s: %s line %d, want %d: %q", format, g, i, next[g], line)
			}
			next[g] = i + 1
		}
		if n != goroutines*perG {
			t.Errorf("%s: %d lines, want %d", format, n, goroutines*perG)
		}
	}
}
