package tui

import (
	"fmt"
	"strconv"
	"time"

	"github.com/mothership-go/mothership/telemetry"
)

// routes is one row per bind and route: its target, the request rate and
// latency percentiles between the last two snapshots, and the requests
// by status class since the start.
func (m *Model) routes() []string {
	if len(m.st.Routes) == 0 {
		return []string{"no routes"}
	}
	prev := map[string]telemetry.RouteCounts{}
	for _, r := range m.prev.Routes {
		prev[r.Bind+"\x00"+r.Route] = r
	}
	dt := m.st.Time.Sub(m.prev.Time).Seconds()
	header := []string{"BIND", "ROUTE", "TARGET", "REQ/S", "P50", "P99", "2XX", "3XX", "4XX", "5XX"}
	var rows [][]string
	for _, r := range m.st.Routes {
		live := r.Minus(prev[r.Bind+"\x00"+r.Route])
		rate, p50, p99 := "-", "-", "-"
		if m.prev.PID != 0 && dt > 0 {
			rate = strconv.FormatFloat(float64(live.Total())/dt, 'f', 1, 64)
		}
		if live.Total() > 0 && m.prev.PID != 0 {
			p50, p99 = latency(live.Quantile(0.5)), latency(live.Quantile(0.99))
		}
		rows = append(rows, []string{r.Bind, r.Route, r.Target, rate, p50, p99,
			count(r.Classes[2]), count(r.Classes[3]), count(r.Classes[4]), count(r.Classes[5])})
	}
	return table(header, rows, m.width)
}

// latency is d in the unit that keeps it short: 850µs, 12.5ms, 1.25s.
func latency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func count(n uint64) string { return strconv.FormatUint(n, 10) }
