package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mothership-go/mothership/telemetry"
)

// maxListWidth bounds the Logs tab's list of processes.
const maxListWidth = 18

// logView is the list of processes beside the selected one's log.
func (m *Model) logView() []string {
	names := make([]string, 0, len(m.st.Processes)+1)
	for _, p := range m.st.Processes {
		names = append(names, p.Name)
	}
	names = append(names, ownLog)
	listW := 0
	for _, n := range names {
		listW = max(listW, ansi.StringWidth(n)+3)
	}
	listW = min(listW, maxListWidth)
	h := m.bodyHeight()
	left := make([]string, h)
	for i := range left {
		if i < len(names) {
			left[i] = m.listEntry(names[i], i == m.selected, listW)
		}
	}
	right := m.logPane(max(m.width-listW-1, 1), h)
	out := make([]string, h)
	for i := range out {
		out[i] = left[i] + strings.Repeat(" ", listW-ansi.StringWidth(left[i])) + "│" + right[i]
	}
	return out
}

func (m *Model) listEntry(name string, selected bool, w int) string {
	if !selected {
		return ansi.Truncate("  "+name, w, "…")
	}
	return selectedRow.Render(ansi.Truncate("› "+name, w, "…"))
}

// logPane is the selected process's log in w×h: a title line, then the
// lines that pass the filter, the newest at the bottom unless scrolled.
func (m *Model) logPane(w, h int) []string {
	name := m.selectedName()
	lines := m.shownLog()
	state := "following"
	if m.scroll > 0 {
		state = fmt.Sprintf("%d lines up (end follows)", m.scroll)
	}
	if m.filter != "" {
		state += fmt.Sprintf(" · filter %q", m.filter)
	}
	count := fmt.Sprintf("%d lines", len(lines))
	if len(lines) == 1 {
		count = "1 line"
	}
	out := []string{headerStyle.Render(ansi.Truncate(fmt.Sprintf(" %s · %s · %s", name, count, state), w, "…"))}
	rows := h - 1
	end := max(len(lines)-m.scroll, 0)
	start := max(end-rows, 0)
	for _, e := range lines[start:end] {
		out = append(out, formatEntry(e, w))
	}
	if len(lines) == 0 {
		out = append(out, faint.Render(" no lines yet"))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out
}

// formatEntry is one log line: its time, "!" for stderr, and the text,
// the process's own escape sequences removed so it cannot move the screen.
func formatEntry(e telemetry.Entry, w int) string {
	mark := " "
	if e.Stream == "stderr" {
		mark = "!"
	}
	text := strings.ReplaceAll(ansi.Strip(e.Text), "\t", "    ")
	line := ansi.Truncate(" "+e.Time.Format("15:04:05")+" "+mark+" "+text, w, "…")
	if e.Stream == "stderr" || e.Level == "error" || e.Level == "warn" {
		return stderrStyle.Render(line)
	}
	return line
}

// shownLog is the selected process's lines that pass the filter.
func (m *Model) shownLog() []telemetry.Entry {
	r := m.logs[m.selectedName()]
	if r == nil {
		return nil
	}
	all := r.Last(-1)
	if m.filter == "" {
		return all
	}
	kept := all[:0]
	for _, e := range all {
		if m.matches(e.Text) {
			kept = append(kept, e)
		}
	}
	return kept
}

// logHeight is how many log lines the pane shows, a page for PgUp.
func (m *Model) logHeight() int { return max(m.bodyHeight()-1, 1) }

// maxScroll is the farthest up the log scrolls: its oldest line on top.
func (m *Model) maxScroll() int { return max(len(m.shownLog())-m.logHeight(), 0) }
