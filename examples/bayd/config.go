package main

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// The bay types of MS_BAY_TYPE, named as the manifest names the families.
const (
	bayWebSocket = "websocket"
	bayHTTP      = "http"
)

// config is what Mothership tells a bay through its environment.
type config struct {
	ship    string        // MS_SHIP: the name sent in Dock
	socket  string        // where to listen
	bayType string        // bayWebSocket or bayHTTP
	threads int           // MS_BAY_THREADS: links served at once (http)
	drain   time.Duration // MS_BAY_DRAIN_TIMEOUT: grace for in-flight requests
}

// loadConfig reads the environment through getenv. The defaults are the
// HTTP bay's: 3 threads and 4 seconds of drain.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		ship:    cmp.Or(getenv("MS_SHIP"), "bayd"),
		bayType: cmp.Or(getenv("MS_BAY_TYPE"), bayHTTP),
		threads: 3,
		drain:   4 * time.Second,
	}
	c.socket = getenv("MS_SOCKET_PATH")
	if c.socket == "" {
		c.socket = filepath.Join(socketDir(getenv), c.ship+".sock")
	}
	if c.bayType != bayWebSocket && c.bayType != bayHTTP {
		return c, fmt.Errorf("MS_BAY_TYPE %q: want %q or %q", c.bayType, bayWebSocket, bayHTTP)
	}
	if s := getenv("MS_BAY_THREADS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return c, fmt.Errorf("MS_BAY_THREADS %q: want a whole number, at least 1", s)
		}
		c.threads = n
	}
	if s := getenv("MS_BAY_DRAIN_TIMEOUT"); s != "" {
		secs, err := strconv.ParseFloat(s, 64)
		if err != nil || secs < 0 || secs > 24*3600 {
			return c, fmt.Errorf("MS_BAY_DRAIN_TIMEOUT %q: want seconds, such as 4 or 0.5", s)
		}
		c.drain = time.Duration(secs * float64(time.Second))
	}
	return c, nil
}

// socketDir is where the socket goes when Mothership gives no full path:
// MS_SOCKET_DIR, else $XDG_RUNTIME_DIR/mothership, else <tmp>/mothership,
// as the WebSocket bay does.
func socketDir(getenv func(string) string) string {
	if d := getenv("MS_SOCKET_DIR"); d != "" {
		return d
	}
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "mothership")
	}
	return filepath.Join(os.TempDir(), "mothership")
}
