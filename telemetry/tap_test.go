package telemetry

import (
	"bytes"
	"strings"
	"testing"
)

// TestTap: the tap gets each line the log writes, as the text log shows it
// without its name column, and nothing the log drops.
func TestTap(t *testing.T) {
	var out bytes.Buffer
	l, err := NewLog(&out, "text", false)
	if err != nil {
		t.Fatal(err)
	}
	var got []Entry
	l.SetTap(func(e Entry) { got = append(got, e) })
	l.Output("web", "stderr", "boom")
	l.Warn("crashed", "process", "web", "status", "exit status 1")
	l.Debug("dropped while debug is off")
	l.SetTap(nil)
	l.Info("after the tap")

	want := []Entry{
		{Process: "web", Stream: "stderr", Text: "boom"},
		{Process: "mothership", Stream: "event", Level: "warn", Text: `WRN crashed process=web status="exit status 1"`},
	}
	if len(got) != len(want) {
		t.Fatalf("tap got %d entries, want %d: %+v", len(got), len(want), got)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for i, w := range want {
		g := got[i]
		if g.Process != w.Process || g.Stream != w.Stream || g.Level != w.Level || g.Text != w.Text || g.Time.IsZero() {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
		if !strings.HasSuffix(lines[i], " | "+w.Text) {
			t.Errorf("entry %d's text %q is not what the log wrote: %q", i, w.Text, lines[i])
		}
	}
}
