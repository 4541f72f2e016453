package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// key answers one key press.
func (m *Model) key(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case k.String() == "ctrl+c":
		return tea.Quit
	case m.typing:
		m.typeFilter(k)
		return nil
	case m.confirm != "":
		return m.answer(k)
	}
	switch {
	case key.Matches(k, keys.Quit):
		return tea.Quit
	case key.Matches(k, keys.Help):
		m.showHelp = !m.showHelp
	case k.String() == "esc":
		m.showHelp, m.filter, m.scroll = false, "", 0
	case key.Matches(k, keys.Next):
		m.tab = (m.tab + 1) % tabCount
	case key.Matches(k, keys.Prev):
		m.tab = (m.tab + tabCount - 1) % tabCount
	case key.Matches(k, keys.Up):
		m.move(-1)
	case key.Matches(k, keys.Down):
		m.move(1)
	case key.Matches(k, keys.PageUp):
		m.scrollBy(m.logHeight())
	case key.Matches(k, keys.PageDown):
		m.scrollBy(-m.logHeight())
	case key.Matches(k, keys.Home):
		m.scroll = m.maxScroll()
	case key.Matches(k, keys.End):
		m.scroll = 0
	case key.Matches(k, keys.Filter):
		m.tab, m.typing = tabLogs, true
	case key.Matches(k, keys.Restart):
		if m.selected < len(m.st.Processes) {
			m.confirm = m.st.Processes[m.selected].Name
		}
	}
	return nil
}

// move selects the process d rows away; the Logs tab also has the
// mothership's own log, past the last process.
func (m *Model) move(d int) {
	last := len(m.st.Processes) - 1
	if m.tab == tabLogs {
		last++
	}
	next := min(max(m.selected+d, 0), max(last, 0))
	if next != m.selected {
		m.selected, m.scroll = next, 0
	}
}

func (m *Model) scrollBy(d int) {
	m.scroll = min(max(m.scroll+d, 0), m.maxScroll())
}

// typeFilter edits the filter: Enter keeps it, Esc drops it.
func (m *Model) typeFilter(k tea.KeyPressMsg) {
	switch k.String() {
	case "enter":
		m.typing = false
	case "esc":
		m.typing, m.filter = false, ""
	case "backspace":
		_, n := utf8.DecodeLastRuneInString(m.filter)
		m.filter = m.filter[:len(m.filter)-n]
	default:
		m.filter += k.Text
	}
	m.scroll = 0
}

// answer takes y for the restart asked; anything else calls it off.
func (m *Model) answer(k tea.KeyPressMsg) tea.Cmd {
	name := m.confirm
	m.confirm = ""
	if k.String() != "y" {
		m.notice = fmt.Sprintf("restart of %s called off", name)
		return nil
	}
	m.notice = fmt.Sprintf("restarting %s…", name)
	src, ctx := m.src, m.ctx
	return func() tea.Msg { return restartedMsg{name, src.Restart(ctx, name)} }
}

// matches reports whether e passes the filter.
func (m *Model) matches(text string) bool {
	return m.filter == "" || strings.Contains(strings.ToLower(text), strings.ToLower(m.filter))
}
