package tui

import (
	"github.com/mothership-go/mothership/control"
)

// overview is one row per ship and bay, the selected one marked, under
// the deployment's line when the rate limits are shared through a store.
func (m *Model) overview() []string {
	top := m.deployment()
	if len(m.st.Processes) == 0 {
		return append(top, faint.Render("no ships or bays yet"))
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
	h := m.bodyHeight() - 1 - len(top)
	start := window(len(rows), h, m.selected)
	return append(append(top, lines[0]), lines[1+start:]...)
}

// deployment is the line on the motherships sharing the rate limits, as
// `mothership status` prints it, in the warning colour while the store is
// unreachable (each server then limits on its own); none without a store.
func (m *Model) deployment() []string {
	d := m.st.Deployment
	if d == nil {
		return nil
	}
	line := control.DeploymentLine(*d)
	if d.Fallback {
		line = noticeStyle.Render(line)
	}
	return []string{line}
}
