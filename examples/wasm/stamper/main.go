//go:build wasip1

// Command stamper is an example response-phase module: it stamps every
// answer with X-Stamped-By (the config's `name`) and X-Seen-Status (the
// target's status), and removes the headers the config's `remove` lists.
//
//	config = { name = "edge-1", remove = ["X-Internal"] }
//
// Build it with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o stamper.wasm ./examples/wasm/stamper
package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/mothership-go/mothership/examples/wasm/guest"
)

type config struct {
	Name   string   `json:"name"`
	Remove []string `json:"remove"`
}

type exchange struct {
	Status int `json:"status"`
}

var cfg config

// init runs in the instance's _initialize, under a start-up bound rather
// than a call's timeout: the config is read there and encoding/json
// warmed up (its first use costs tens of milliseconds in a Go guest).
func init() {
	if err := json.Unmarshal(guest.Config(), &cfg); err != nil {
		fmt.Println("bad config:", err) // stdout becomes a log line
	}
	var warm exchange
	_ = json.Unmarshal([]byte(`{"status":200}`), &warm)
}

//go:wasmexport on_response
func onResponse() {
	var x exchange
	if err := json.Unmarshal(guest.Request(), &x); err != nil {
		guest.Log(guest.Warn, "unreadable exchange: "+err.Error())
		return
	}
	guest.SetResponseHeader("X-Stamped-By", cfg.Name)
	guest.SetResponseHeader("X-Seen-Status", strconv.Itoa(x.Status))
	for _, h := range cfg.Remove {
		guest.RemoveResponseHeader(h)
	}
}

func main() {}
