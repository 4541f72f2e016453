package tui

import (
	"github.com/mothership-go/mothership/control"
)

// overview is one row per ship and bay, the selected one marked.
func (m *Model) overview() []string {
	if len(m.st.Processes) == 0 {
		return []string{faint.Render("no ships or bays yet")}
	}
	now := m.now()
	header := append([]string{" "}, control.OverviewColumns...)
	rows := make([][]string, len(m.st.Processes))
	for i, p := range m.st.Processes {
		marker := " "
		if i == m.selected {
			marker = "›"
		}
		rows[i] = append([]string{marker}, control.OverviewRow(p, now)...)
	}
	lines := table(header, rows, m.width)
	for i, p := range m.st.Processes {
		if s, ok := stateStyles[p.State]; ok && i != m.selected {
			lines[i+1] = s.Render(lines[i+1])
		}
	}
	if m.selected < len(m.st.Processes) {
		lines[m.selected+1] = selectedRow.Render(lines[m.selected+1])
	}
	h := m.bodyHeight() - 1
	start := window(len(rows), h, m.selected)
	return append(lines[:1], lines[1+start:]...)
}
