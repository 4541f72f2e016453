package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mothership-go/mothership/control"
)

// Styles. Bubble Tea downsamples their colors to what the terminal has,
// and none of them carries meaning by color alone: the selected row has a
// marker, the active tab brackets, a stderr line a "!".
var (
	activeTab   = lipgloss.NewStyle().Bold(true).Reverse(true)
	inactiveTab = lipgloss.NewStyle().Faint(true)
	headerStyle = lipgloss.NewStyle().Bold(true)
	selectedRow = lipgloss.NewStyle().Reverse(true)
	stderrStyle = lipgloss.NewStyle().Foreground(lipgloss.Red)
	noticeStyle = lipgloss.NewStyle().Foreground(lipgloss.Yellow)
	faint       = lipgloss.NewStyle().Faint(true)
	stateStyles = map[string]lipgloss.Style{
		"ready":        lipgloss.NewStyle().Foreground(lipgloss.Green),
		"starting":     lipgloss.NewStyle().Foreground(lipgloss.Yellow),
		"backoff":      lipgloss.NewStyle().Foreground(lipgloss.Red),
		"circuit_open": lipgloss.NewStyle().Foreground(lipgloss.Red).Bold(true),
	}
)

// View implements tea.Model: the whole screen, in the alternate screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "mothership"
	return v
}

// render lays out the screen: the tabs, the headline, the tab's body, the
// prompt or notice, and the keys; every line cut to the width.
func (m *Model) render() string {
	lines := append([]string{m.tabBar(), m.headline()}, m.body()...)
	lines = append(lines, m.statusLine(), m.help.View(keys))
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "…")
	}
	return strings.Join(lines, "\n")
}

// bodyHeight is the lines between the headline and the prompt.
func (m *Model) bodyHeight() int { return max(m.height-4, 1) }

func (m *Model) tabBar() string {
	parts := []string{headerStyle.Render("Mothership")}
	for i, name := range tabNames {
		if i == m.tab {
			parts = append(parts, activeTab.Render("["+name+"]"))
		} else {
			parts = append(parts, inactiveTab.Render(" "+name+" "))
		}
	}
	return strings.Join(parts, " ")
}

func (m *Model) headline() string {
	if m.st.PID == 0 {
		return faint.Render("waiting for the fleet's status…")
	}
	return control.Headline(m.st, m.now())
}

// body is the active tab, or the keys, exactly bodyHeight lines.
func (m *Model) body() []string {
	var lines []string
	switch {
	case m.showHelp:
		full := m.help
		full.ShowAll = true
		lines = append([]string{headerStyle.Render("Keys"), ""}, strings.Split(full.View(keys), "\n")...)
		lines = append(lines, "", faint.Render("? or esc closes this"))
	case m.tab == tabOverview:
		lines = m.overview()
	case m.tab == tabLogs:
		lines = m.logView()
	case m.tab == tabModules:
		lines = m.modules()
	case m.tab == tabRoutes:
		lines = m.routes()
	}
	h := m.bodyHeight()
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

// statusLine is the prompt being answered, or the last notice.
func (m *Model) statusLine() string {
	switch {
	case m.typing:
		return "filter: " + m.filter + "█"
	case m.confirm != "":
		return noticeStyle.Render("restart " + m.confirm + "? y restarts it, any other key calls it off")
	case m.statusErr != nil:
		return stderrStyle.Render("no status: " + m.statusErr.Error())
	}
	return noticeStyle.Render(m.notice)
}

// table lays rows out under header in columns as wide as their widest
// cell, a space apart; the last column takes what is left of width. The
// first line returned is the header's.
func table(header []string, rows [][]string, width int) []string {
	widths := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], ansi.StringWidth(c))
		}
	}
	format := func(r []string) string {
		var b strings.Builder
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c + strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+1))
		}
		return ansi.Truncate(b.String(), width, "…")
	}
	out := []string{headerStyle.Render(format(header))}
	for _, r := range rows {
		out = append(out, format(r))
	}
	return out
}

// window is the first of n rows to show in h lines so that row sel shows.
func window(n, h, sel int) int {
	if sel < h {
		return 0
	}
	return min(sel-h+1, max(n-h, 0))
}
