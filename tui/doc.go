// Package tui owns the dashboard: a full-screen view of a fleet in the
// terminal, with the tabs Overview, Logs, Modules and Routes. It reads the
// fleet only through a control.Source, so the same dashboard runs inside
// `mothership run --tui` and attached to a running fleet by `mothership tui`.
package tui
