package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key the dashboard answers; the help shows them from here.
type keyMap struct {
	Next, Prev, Up, Down, PageUp, PageDown, Home, End, Filter, Restart, Help, Quit key.Binding
}

var keys = keyMap{
	Next:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next tab")),
	Prev:     key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous tab")),
	Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous ship")),
	Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next ship")),
	PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll the log up")),
	PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "scroll the log down")),
	Home:     key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "oldest log line")),
	End:      key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "newest, and follow")),
	Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter the log")),
	Restart:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart the ship")),
	Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "keys")),
	Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
}

// short is the key line's bindings: a pair of keys each, described in a word.
var short = []key.Binding{
	key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "tabs")),
	key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "ship")),
	key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "log")),
	key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
	key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart")),
	key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "keys")),
	key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
}

// ShortHelp is the key line at the bottom of the screen.
func (k keyMap) ShortHelp() []key.Binding { return short }

// FullHelp is the `?` screen, in columns.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Up, k.Down},
		{k.PageUp, k.PageDown, k.Home, k.End},
		{k.Filter, k.Restart, k.Help, k.Quit},
	}
}
