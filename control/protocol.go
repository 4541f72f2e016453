package control

import (
	"github.com/mothership-go/mothership/telemetry"
)

// maxRequest bounds a request line; a longer one ends the connection.
const maxRequest = 64 << 10

// request is one line a client sends.
type request struct {
	// Op is "status", "logs", "restart" or "reload".
	Op string `json:"op"`
	// Name is the ship or bay to restart.
	Name string `json:"name,omitempty"`
	LogQuery
}

// response is one line the server sends: exactly one field is set, but
// for Message, which may come with OK.
type response struct {
	OK      bool             `json:"ok,omitempty"`
	Message string           `json:"message,omitempty"`
	Error   string           `json:"error,omitempty"`
	Status  *Status          `json:"status,omitempty"`
	Entry   *telemetry.Entry `json:"entry,omitempty"`
}
