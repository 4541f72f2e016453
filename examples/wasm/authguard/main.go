//go:build wasip1

// Command authguard is an example request-phase module: it blocks
// requests under /admin that lack `Authorization: Bearer <token>` with a
// 401 naming the realm, and lets the others through with the token
// removed and X-Auth-Realm set; an admin request's path moves under
// `prefix` when the config names one. Its config:
//
//	config = { token = "s3cret", realm = "ops", prefix = "/internal" }
//
// Build it with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o authguard.wasm ./examples/wasm/authguard
package main

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/mothership-go/mothership/examples/wasm/guest"
)

type config struct {
	Token  string `json:"token"`
	Realm  string `json:"realm"`
	Prefix string `json:"prefix"`
}

type request struct {
	Path    string      `json:"path"`
	Headers [][2]string `json:"headers"`
}

// cfg is read once per instance, when it starts.
var cfg config

// init runs in the instance's _initialize, under a start-up bound of
// seconds rather than a call's timeout of milliseconds: the config is read
// there, and encoding/json warmed up on the request's type (its first use
// costs tens of milliseconds in a Go guest).
func init() {
	if err := json.Unmarshal(guest.Config(), &cfg); err != nil {
		guest.Log(guest.Warn, "bad config: "+err.Error())
	}
	var warm request
	_ = json.Unmarshal([]byte(`{"path":"/","headers":[["Accept","*/*"]]}`), &warm)
}

//go:wasmexport on_request
func onRequest() {
	var req request
	if err := json.Unmarshal(guest.Request(), &req); err != nil {
		guest.Block(400, "unreadable request\n")
		return
	}
	auth := ""
	for _, h := range req.Headers {
		if strings.EqualFold(h[0], "Authorization") {
			auth = h[1]
		}
	}
	admin := strings.HasPrefix(req.Path, "/admin")
	if admin && (cfg.Token == "" || auth != "Bearer "+cfg.Token) {
		guest.Log(guest.Info, "refused "+req.Path)
		guest.BlockWithHeaders(401, "401 unauthorized: a token is needed for "+req.Path+"\n",
			`{"WWW-Authenticate": `+strconv.Quote(`Bearer realm="`+cfg.Realm+`"`)+`}`)
		return
	}
	guest.RemoveRequestHeader("Authorization")
	guest.SetRequestHeader("X-Auth-Realm", cfg.Realm)
	if admin && cfg.Prefix != "" {
		guest.SetPath(cfg.Prefix + req.Path)
	}
}

func main() {}
