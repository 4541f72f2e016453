package tui

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/mothership-go/mothership/control"
	"github.com/mothership-go/mothership/internal/ring"
	"github.com/mothership-go/mothership/telemetry"
)

// The tabs, in the order Tab goes through them.
const (
	tabOverview = iota
	tabLogs
	tabModules
	tabRoutes
	tabCount
)

var tabNames = [tabCount]string{"Overview", "Logs", "Modules", "Routes"}

// ownLog is the Logs tab's entry for the mothership's own events.
const ownLog = "mothership"

// Model is the dashboard's state; Bubble Tea runs it.
type Model struct {
	src  control.Source
	ctx  context.Context // ends the calls the model makes
	feed *feed           // nil when lines come only as messages (tests)
	now  func() time.Time
	keep int // log lines kept per process

	width, height int
	tab           int
	help          help.Model
	showHelp      bool

	st, prev  control.Status // the last two snapshots: their difference is the live rates
	statusErr error

	selected int                                    // a process, or ownLog past the last
	logs     map[string]*ring.Ring[telemetry.Entry] // by process
	scroll   int                                    // log lines above the newest; 0 follows
	filter   string
	typing   bool // `/` was pressed and the filter is being typed

	confirm string // the process whose restart waits for y
	notice  string // the outcome of the last restart
}

// Options tune a Model; zero fields take the defaults.
type Options struct {
	// Now is the clock for uptimes [time.Now].
	Now func() time.Time
	// Keep is how many log lines each process keeps [control.KeepLines].
	Keep int
}

// New returns the dashboard of src; calls to src end with ctx.
func New(ctx context.Context, src control.Source, opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Keep <= 0 {
		opts.Keep = control.KeepLines
	}
	h := help.New()
	return &Model{src: src, ctx: ctx, now: opts.Now, keep: opts.Keep, help: h, width: 80, height: 24,
		logs: map[string]*ring.Ring[telemetry.Entry]{}}
}

// statusMsg is a snapshot of the fleet, or why there is none.
type statusMsg struct {
	st  control.Status
	err error
}

// logsMsg is the log lines that came since the last.
type logsMsg []telemetry.Entry

// restartedMsg is the outcome of a restart the dashboard asked for.
type restartedMsg struct {
	name string
	err  error
}

// Init implements tea.Model: the first snapshot, and the log.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.fetchStatus, m.waitLogs()) }

// waitLogs waits for the next batch of log lines.
func (m *Model) waitLogs() tea.Cmd {
	if m.feed == nil {
		return nil
	}
	return m.feed.wait
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
	case statusMsg:
		return m, m.gotStatus(msg)
	case logsMsg:
		m.addLogs(msg)
		return m, m.waitLogs()
	case logsEndedMsg:
		m.notice = "the log ended"
		if msg.err != nil {
			m.notice += ": " + msg.err.Error()
		}
	case restartedMsg:
		m.notice = fmt.Sprintf("%s restarted and ready", msg.name)
		if msg.err != nil {
			m.notice = fmt.Sprintf("restart failed: %v", msg.err)
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// statusEvery is how often the dashboard asks for a snapshot.
const statusEvery = time.Second

// gotStatus keeps a snapshot and asks for the next in a second.
func (m *Model) gotStatus(msg statusMsg) tea.Cmd {
	m.statusErr = msg.err
	if msg.err == nil {
		m.prev, m.st = m.st, msg.st
		m.selected = min(m.selected, len(m.st.Processes))
	}
	return tea.Tick(statusEvery, func(time.Time) tea.Msg { return m.fetchStatus() })
}

func (m *Model) fetchStatus() tea.Msg {
	st, err := m.src.Status(m.ctx)
	return statusMsg{st, err}
}

// addLogs keeps new lines; a scrolled log stays where it was.
func (m *Model) addLogs(lines logsMsg) {
	shown := m.selectedName()
	for _, e := range lines {
		r := m.logs[e.Process]
		if r == nil {
			r = ring.New[telemetry.Entry](m.keep)
			m.logs[e.Process] = r
		}
		r.Push(e)
		if m.scroll > 0 && e.Process == shown && m.matches(e.Text) {
			m.scroll++
		}
	}
	m.scroll = min(m.scroll, m.maxScroll())
}

// selectedName is the selected process, or ownLog.
func (m *Model) selectedName() string {
	if m.selected < len(m.st.Processes) {
		return m.st.Processes[m.selected].Name
	}
	return ownLog
}
