package control

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// OverviewColumns are the columns of the fleet's overview, which `status`
// prints and the dashboard shows.
var OverviewColumns = []string{"NAME", "GROUP", "KIND", "STATE", "PID", "HEALTH", "RESTARTS", "UPTIME", "MEMORY", "ROUTES"}

// OverviewRow is p's row of the overview at now.
func OverviewRow(p Process, now time.Time) []string {
	pid := "-"
	if p.PID != 0 {
		pid = strconv.Itoa(p.PID)
	}
	uptime := "-"
	if !p.Since.IsZero() {
		uptime = Uptime(now.Sub(p.Since))
	}
	mem := "-"
	if p.RSS > 0 {
		mem = Bytes(p.RSS)
	}
	routes := "-"
	if len(p.Routes) > 0 {
		routes = strings.Join(p.Routes, ", ")
	}
	return []string{p.Name, p.Group, p.Kind, p.State, pid, Health(p), strconv.Itoa(p.Restarts), uptime, mem, routes}
}

// Health is what the overview says of p's health: only a ready process
// has a verdict.
func Health(p Process) string {
	switch {
	case p.State != "ready":
		return "-"
	case p.Healthy:
		return "ok"
	}
	return "failing"
}

// Headline is the overview's first line: the phase, the flagship role,
// the pid and uptime of the mothership, and its manifest.
//
// An example: mothership Running · solo · pid 4242 · up 5m03s · ship-manifest.toml
func Headline(st Status, now time.Time) string {
	role := st.Role
	if role == "" {
		role = "no role yet" // before the election
	}
	return fmt.Sprintf("mothership %s · %s · pid %d · up %s · %s", st.Phase, role, st.PID, Uptime(now.Sub(st.Started)), st.Manifest)
}

// Uptime rounds d to its two largest units: 42s, 5m03s, 2h05m, 3d04h.
func Uptime(d time.Duration) string {
	s := int64(max(d, 0) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
}

// Bytes is n in binary units with three significant digits: 812K, 12.3M, 1.50G.
func Bytes(n uint64) string {
	units := []string{"B", "K", "M", "G", "T"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	switch {
	case i == 0 || f >= 100:
		return fmt.Sprintf("%.0f%s", f, units[i])
	case f >= 10:
		return fmt.Sprintf("%.1f%s", f, units[i])
	}
	return fmt.Sprintf("%.2f%s", f, units[i])
}
