package manifest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

// errMark ends the line a case expects its one error on.
const errMark = "# ERR"

// markedLine returns the 1-based line of doc that holds errMark.
func markedLine(doc string) int {
	for i, l := range strings.Split(doc, "\n") {
		if strings.HasSuffix(strings.TrimSpace(l), errMark) {
			return i + 1
		}
	}
	return 0
}

func lookupFrom(env map[string]string) manifest.LookupFunc {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// Manifest pieces the cases build on.
const (
	httpBind = "[mothership.bind]\nhttp = \"0.0.0.0:8080\"\n"
	webShip  = "[[fleet.web]]\nname = \"web\"\ncommand = \"web\"\n"
)

// TestErrors loads invalid manifests that each hold one mistake and checks
// that the mistake is reported once, on its line and key path, with the
// words a user needs, and that nothing else is reported with it.
func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		doc   string
		env   map[string]string
		key   string
		words []string
	}{
		// Unknown keys.
		{
			name:  "unknown key in a ship, close to a known one",
			doc:   webShip + "critcal = false " + errMark + "\n",
			key:   "fleet.web[0].critcal",
			words: []string{"unknown key", "did you mean", `"critical"`},
		},
		// HTTP/2 to ships: what cannot speak it is refused, not ignored.
		{
			name:  "healthcheck on an h2c ship",
			doc:   webShip + "protocol = \"h2c\"\nhealthcheck = \"/up\" " + errMark + "\n",
			key:   "fleet.web[0].healthcheck",
			words: []string{"h2c ship takes no healthcheck", "HTTP/1.1", "bind accepts"},
		},
		{
			name:  "health on an h2c upstream",
			doc:   "[[mothership.upstreams]]\nname = \"api\"\nbinds = [\"127.0.0.1:3000\"]\nprotocol = \"h2c\"\nhealth = { path = \"/up\" } " + errMark + "\n",
			key:   "mothership.upstreams[0].health",
			words: []string{"h2c upstream takes no health check", "HTTP/1.1"},
		},
		{
			name:  "protocol on a bay",
			doc:   "[[bays.websocket]]\nname = \"cable\"\ncommand = \"cable\"\nprotocol = \"h2c\" " + errMark + "\n",
			key:   "bays.websocket[0].protocol",
			words: []string{"unknown key"},
		},
		// A ship's hold while it restarts.
		{
			name:  "hold_on_restart over a minute",
			doc:   webShip + "hold_on_restart = \"2m\" " + errMark + "\n",
			key:   "fleet.web[0].hold_on_restart",
			words: []string{"over the most", "1m0s"},
		},
		{
			name:  "hold_on_restart not a duration",
			doc:   webShip + "hold_on_restart = \"a while\" " + errMark + "\n",
			key:   "fleet.web[0].hold_on_restart",
			words: []string{"not a duration"},
		},
		{
			name:  "hold_queue zero",
			doc:   webShip + "hold_queue = 0 " + errMark + "\n",
			key:   "fleet.web[0].hold_queue",
			words: []string{"out of range", "1 to 65536"},
		},
		{
			name:  "cpus zero",
			doc:   "[mothership]\ncpus = 0 " + errMark + "\n",
			key:   "mothership.cpus",
			words: []string{"out of range", "1 to 4096"},
		},
		{
			name:  "cpus not an integer",
			doc:   "[mothership]\ncpus = \"auto\" " + errMark + "\n",
			key:   "mothership.cpus",
			words: []string{"an integer"},
		},
		// Request rules and the PROXY protocol.
		{
			name:  "max_body_size not a size",
			doc:   "[mothership.bind]\nhttp = { addr = \"0.0.0.0:80\", max_body_size = \"lots\" } " + errMark + "\n",
			key:   "mothership.bind.http.max_body_size",
			words: []string{"not a size", "16MiB"},
		},
		{
			name:  "max_header_count out of range on a route",
			doc:   httpBind + webShip + "bind = \"127.0.0.1:3000\"\nroutes = [{ path_prefix = \"/\", max_header_count = 0 }] " + errMark + "\n",
			key:   "fleet.web[0].routes[0].max_header_count",
			words: []string{"out of range"},
		},
		{
			name:  "proxy_protocol table without trusted",
			doc:   "[mothership.bind]\nhttp = { addr = \"0.0.0.0:80\", proxy_protocol = { untrusted = \"ignore\" } } " + errMark + "\n",
			key:   "mothership.bind.http.proxy_protocol",
			words: []string{"missing trusted", "proxy_protocol = true"},
		},
		{
			name:  "proxy_protocol untrusted unknown",
			doc:   "[mothership.bind]\nhttp = { addr = \"0.0.0.0:80\", proxy_protocol = { trusted = [\"10.0.0.0/8\"], untrusted = \"drop\" } } " + errMark + "\n",
			key:   "mothership.bind.http.proxy_protocol.untrusted",
			words: []string{`"drop"`, `"refuse"`, `"ignore"`},
		},
		// The control socket.
		{
			name:  "control socket path too long",
			doc:   "[mothership]\ncontrol_socket = \"/tmp/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.sock\" " + errMark + "\n",
			key:   "mothership.control_socket",
			words: []string{"more than the 103", "Unix socket path"},
		},
		{
			name:  "control socket in a missing directory",
			doc:   "[mothership]\ncontrol_socket = \"/no/such/dir/ms.sock\" " + errMark + "\n",
			key:   "mothership.control_socket",
			words: []string{"/no/such/dir/ms.sock", "does not exist"},
		},
		{
			name:  "control socket empty",
			doc:   "[mothership]\ncontrol_socket = \"\" " + errMark + "\n",
			key:   "mothership.control_socket",
			words: []string{"empty path", "leave the key out"},
		},
		{
			name:  "unknown key in [mothership], close to a known one",
			doc:   "[mothership]\nmetric_port = 9090 " + errMark + "\n",
			key:   "mothership.metric_port",
			words: []string{"unknown key", "did you mean", `"metrics_port"`},
		},
		{
			name:  "unknown key in a route, close to a known one",
			doc:   httpBind + webShip + "routes = [\n  { bind = \"http\", patern = \"/.*\" }, " + errMark + "\n]\n",
			key:   "fleet.web[0].routes[0].patern",
			words: []string{"unknown key", "did you mean", `"pattern"`},
		},
		{
			name:  "unknown key in a healthcheck table, close to a known one",
			doc:   webShip + "healthcheck = { path = \"/health\", intervl = 30 } " + errMark + "\n",
			key:   "fleet.web[0].healthcheck.intervl",
			words: []string{"unknown key", "did you mean", `"interval"`},
		},
		{
			name:  "unknown key in a bay, close to a known one",
			doc:   "[[bays.websocket]]\nname = \"cable\"\ncommand = \"cable\"\nthreds = 4 " + errMark + "\n",
			key:   "bays.websocket[0].threds",
			words: []string{"unknown key", "did you mean", `"threads"`},
		},
		{
			name:  "unknown key with no close match lists the known keys",
			doc:   "[mothership]\nmetrics_port = 9090\nwallpaper = \"stars\" " + errMark + "\n",
			key:   "mothership.wallpaper",
			words: []string{"unknown key", "known keys here", "metrics_port", "compression", "uplinks"},
		},
		{
			name:  "unknown top-level table",
			doc:   webShip + "[fleat] " + errMark + "\n",
			key:   "fleat",
			words: []string{"unknown key", "did you mean", `"fleet"`},
		},

		// Names and references.
		{
			name:  "duplicate ship names across groups name the first line",
			doc:   webShip + "\n[[fleet.workers]]\nname = \"web\" " + errMark + "\ncommand = \"worker\"\n",
			key:   "fleet.workers[0].name",
			words: []string{`"web"`, "declared twice", "first at line 1"},
		},
		{
			name:  "depends_on naming nothing suggests a close name",
			doc:   webShip + "\n[[fleet.workers]]\nname = \"worker\"\ncommand = \"worker\"\ndepends_on = [\"wbe\"] " + errMark + "\n",
			key:   "fleet.workers[0].depends_on[0]",
			words: []string{`no ship or bay named "wbe"`, "did you mean", `"web"`},
		},
		{
			name: "dependency cycle of three ships is printed in full",
			doc: "[[fleet.a]]\nname = \"a\"\ncommand = \"a\"\ndepends_on = [\"b\"] " + errMark + "\n" +
				"[[fleet.b]]\nname = \"b\"\ncommand = \"b\"\ndepends_on = [\"c\"]\n" +
				"[[fleet.c]]\nname = \"c\"\ncommand = \"c\"\ndepends_on = [\"a\"]\n",
			key:   "fleet.a[0].depends_on",
			words: []string{"dependency cycle", "a → b → c → a"},
		},
		{
			name: "prelaunch depends_on cycle",
			doc: "[[mothership.prelaunch]]\nname = \"migrate\"\ncommand = \"migrate\"\ndepends_on = [\"seed\"] " + errMark + "\n" +
				"[[mothership.prelaunch]]\nname = \"seed\"\ncommand = \"seed\"\ndepends_on = [\"migrate\"]\n",
			key:   "mothership.prelaunch[0].depends_on",
			words: []string{"dependency cycle", "migrate → seed → migrate"},
		},

		// Addresses.
		{
			name:  "ship bind port out of range",
			doc:   webShip + "bind = \"127.0.0.1:99999\" " + errMark + "\n",
			key:   "fleet.web[0].bind",
			words: []string{"99999", "1 to 65535"},
		},
		{
			name:  "bare port out of range",
			doc:   webShip + "bind = \"99999\" " + errMark + "\n",
			key:   "fleet.web[0].bind",
			words: []string{"99999", "1 to 65535"},
		},
		{
			name:  "unix bind without a path",
			doc:   webShip + "bind = \"unix://\" " + errMark + "\n",
			key:   "fleet.web[0].bind",
			words: []string{"unix", "needs a path"},
		},
		{
			name:  "mothership bind with an unknown scheme",
			doc:   "[mothership.bind]\nhttp = \"ftp://x\" " + errMark + "\n",
			key:   "mothership.bind.http",
			words: []string{"unknown scheme", `"ftp"`},
		},
		{
			name:  "route on an undeclared bind",
			doc:   httpBind + webShip + "routes = [{ bind = \"htp\", pattern = \"/.*\" }] " + errMark + "\n",
			key:   "fleet.web[0].routes[0].bind",
			words: []string{`no bind named "htp"`, "did you mean", `"http"`},
		},
		{
			name:  "route shorthand on an undeclared bind",
			doc:   httpBind + webShip + "routes = [\"ws:/cable\"] " + errMark + "\n",
			key:   "fleet.web[0].routes[0].bind",
			words: []string{`no bind named "ws"`, "declared: http"},
		},
		{
			name:  "two ships on one address",
			doc:   webShip + "bind = \"3000\"\n[[fleet.api]]\nname = \"api\"\ncommand = \"api\"\nbind = \"tcp://127.0.0.1:3000\" " + errMark + "\n",
			key:   "fleet.api[0].bind",
			words: []string{"ship api", "127.0.0.1:3000", "ship web (line 4)"},
		},
		{
			name:  "ship on the address of a wildcard mothership bind",
			doc:   httpBind + webShip + "bind = \"127.0.0.1:8080\" " + errMark + "\n",
			key:   "fleet.web[0].bind",
			words: []string{"ship web", "127.0.0.1:8080", "bind http (line 2)"},
		},
		{
			name:  "ship on the metrics port",
			doc:   "[mothership]\nmetrics_port = 9090\n" + webShip + "bind = \"9090\" " + errMark + "\n",
			key:   "fleet.web[0].bind",
			words: []string{"ship web", "127.0.0.1:9090", "metrics_port (line 2)"},
		},

		// Variables.
		{
			name:  "unset variable in env",
			doc:   webShip + "env = { DATABASE_URL = \"$DATABASE_URL\" } " + errMark + "\n",
			key:   "fleet.web[0].env.DATABASE_URL",
			words: []string{"$DATABASE_URL is not set", "${DATABASE_URL:-default}"},
		},
		{
			name:  "unset variable in a mothership bind",
			doc:   "[mothership.bind]\nhttp = \"0.0.0.0:${HTTP_PORT}\" " + errMark + "\n",
			key:   "mothership.bind.http",
			words: []string{"$HTTP_PORT is not set"},
		},
		{
			name:  "unset variable in a ship bind",
			doc:   webShip + "bind = \"$WEB_ADDR\" " + errMark + "\n",
			key:   "fleet.web[0].bind",
			words: []string{"$WEB_ADDR is not set"},
		},
		{
			name:  "unset variable in an uplink url",
			doc:   "[[mothership.uplinks]]\nname = \"redis\"\nurl = \"$REDIS_URL\" " + errMark + "\n",
			key:   "mothership.uplinks[0].url",
			words: []string{"$REDIS_URL is not set"},
		},
		{
			name:  "unset variable in an upstream bind",
			doc:   "[[mothership.upstreams]]\nname = \"api\"\nbinds = [\"$API_ADDR\"] " + errMark + "\n",
			key:   "mothership.upstreams[0].binds[0]",
			words: []string{"$API_ADDR is not set"},
		},
		{
			name:  "unset variable in a postgres election_url",
			doc:   "[mothership.flagship]\nenabled = true\nelection = \"postgres\"\nelection_url = \"$DATABASE_URL\" " + errMark + "\n",
			key:   "mothership.flagship.election_url",
			words: []string{"$DATABASE_URL is not set"},
		},
		{
			name:  "unset variable in the blog's [flagship] database_url",
			doc:   "[flagship]\nenabled = true\ndatabase_url = \"$DATABASE_URL\" " + errMark + "\n",
			key:   "flagship.database_url",
			words: []string{"$DATABASE_URL is not set"},
		},
		{
			name:  "unset variable in a bind table's addr",
			doc:   "[mothership.bind]\nhttps = { addr = \"$HTTPS_ADDR\", proxy_protocol = true } " + errMark + "\n",
			key:   "mothership.bind.https.addr",
			words: []string{"$HTTPS_ADDR is not set"},
		},
		{
			name:  "unclosed ${ in a bind",
			doc:   webShip + "bind = \"${WEB_ADDR\" " + errMark + "\n",
			key:   "fleet.web[0].bind",
			words: []string{"unclosed ${"},
		},
		{
			name:  "bad address as an upstream's only bind",
			doc:   "[[mothership.upstreams]]\nname = \"api\"\nbinds = [\"ftp://api\"] " + errMark + "\n",
			key:   "mothership.upstreams[0].binds[0]",
			words: []string{"unknown scheme", `"ftp"`},
		},
		{
			name:  "unknown upstream protocol",
			doc:   "[[mothership.upstreams]]\nname = \"api\"\nbinds = [\"127.0.0.1:3000\"]\nprotocol = \"grpc\" " + errMark + "\n",
			key:   "mothership.upstreams[0].protocol",
			words: []string{`unknown protocol "grpc"`, "docking"},
		},
		{
			name:  "docking upstream on a TCP address",
			doc:   "[[mothership.upstreams]]\nname = \"rack\"\nprotocol = \"docking\"\nbinds = [\"127.0.0.1:3000\"] " + errMark + "\n",
			key:   "mothership.upstreams[0].binds[0]",
			words: []string{"Unix socket", "unix:///"},
		},
		{
			name:  "docking upstream with a health check",
			doc:   "[[mothership.upstreams]]\nname = \"rack\"\nprotocol = \"docking\"\nbinds = [\"unix:///tmp/rack.sock\"]\nhealth = { path = \"/up\" } " + errMark + "\n",
			key:   "mothership.upstreams[0].health",
			words: []string{"no health check", "docked"},
		},
		{
			name:  "upstream health check every 0s",
			doc:   "[[mothership.upstreams]]\nname = \"api\"\nbinds = [\"127.0.0.1:3000\"]\nhealth = { path = \"/up\", interval = \"0s\" } " + errMark + "\n",
			key:   "mothership.upstreams[0].health.interval",
			words: []string{"more than 0"},
		},
		{
			name:  "upstream without binds",
			doc:   "[[mothership.upstreams]] " + errMark + "\nname = \"api\"\nbinds = []\n",
			key:   "mothership.upstreams[0]",
			words: []string{"at least one address"},
		},
		{
			name:  "unclosed ${ in a variable reference",
			doc:   webShip + "env = { A = \"${A\" } " + errMark + "\n",
			key:   "fleet.web[0].env.A",
			words: []string{"unclosed ${"},
		},
		{
			name:  "a set variable is expanded before the address is checked",
			doc:   webShip + "bind = \"127.0.0.1:${WEB_PORT}\" " + errMark + "\n",
			env:   map[string]string{"WEB_PORT": "70000"},
			key:   "fleet.web[0].bind",
			words: []string{"70000", "1 to 65535"},
		},

		// Types.
		{
			name:  "string where an array of strings is wanted",
			doc:   webShip + "tags = \"web\" " + errMark + "\n",
			key:   "fleet.web[0].tags",
			words: []string{"want an array of strings", `the string "web"`},
		},
		{
			name:  "number in an array of strings",
			doc:   webShip + "args = [\"-p\", 3000] " + errMark + "\n",
			key:   "fleet.web[0].args[1]",
			words: []string{"want a string", "the integer 3000"},
		},
		{
			name:  "string where a boolean is wanted",
			doc:   webShip + "critical = \"yes\" " + errMark + "\n",
			key:   "fleet.web[0].critical",
			words: []string{"want true or false", `the string "yes"`},
		},
		{
			name:  "string where an integer is wanted",
			doc:   "[mothership]\nmetrics_port = \"9090\" " + errMark + "\n",
			key:   "mothership.metrics_port",
			words: []string{"want an integer", `the string "9090"`},
		},
		{
			name:  "string where an array of routes is wanted",
			doc:   httpBind + webShip + "routes = \"http:/.*\" " + errMark + "\n",
			key:   "fleet.web[0].routes",
			words: []string{"want an array of routes", `the string "http:/.*"`},
		},
		{
			name:  "table where a string is wanted",
			doc:   webShip + "cwd = { path = \"/srv\" } " + errMark + "\n",
			key:   "fleet.web[0].cwd",
			words: []string{"want a string", "a table"},
		},
		{
			name:  "duration that is not one",
			doc:   "[[mothership.uplinks]]\nurl = \"redis://cache:6379\"\ntimeout = \"soon\" " + errMark + "\n",
			key:   "mothership.uplinks[0].timeout",
			words: []string{`"soon" is not a duration`, "30s"},
		},

		// Rate limits shared through a store.
		{
			name:  "a store that is not a Redis URL",
			doc:   "[mothership.rate_limiting]\nper_ip_rpm = 60\nstore = \"http://cache:6379\" " + errMark + "\n",
			key:   "mothership.rate_limiting.store",
			words: []string{"is not a Redis URL", "redis://host:6379/0"},
		},
		{
			name:  "a shared limit below one request per window",
			doc:   "[mothership.rate_limiting]\nstore = \"redis://cache:6379\"\nglobal_rps = 0.5 " + errMark + "\n",
			key:   "mothership.rate_limiting.global_rps",
			words: []string{"with a store", "whole requests in one second", "0.5"},
		},
		{
			name:  "a sync interval out of range",
			doc:   "[mothership.rate_limiting]\nstore = \"redis://cache:6379\"\nper_ip_rpm = 60\nsync_interval = \"1ms\" " + errMark + "\n",
			key:   "mothership.rate_limiting.sync_interval",
			words: []string{"out of range", "10ms to 10s"},
		},

		// Commands.
		{
			name:  "command with an unclosed quote",
			doc:   "[[fleet.web]]\nname = \"web\"\ncommand = \"sh -c 'echo hi\" " + errMark + "\n",
			key:   "fleet.web[0].command",
			words: []string{"unclosed single quote"},
		},
		{
			name:  "command of blanks only",
			doc:   "[[fleet.web]]\nname = \"web\"\ncommand = \"   \" " + errMark + "\n",
			key:   "fleet.web[0].command",
			words: []string{"empty command"},
		},
		{
			name:  "ship without a command",
			doc:   "[[fleet.web]] " + errMark + "\nname = \"web\"\n",
			key:   "fleet.web[0]",
			words: []string{"missing command"},
		},

		// Routes.
		{
			name:  "two path matchers on one route",
			doc:   httpBind + webShip + "routes = [{ bind = \"http\", pattern = \"/api/.*\", path_prefix = \"/api\" }] " + errMark + "\n",
			key:   "fleet.web[0].routes[0]",
			words: []string{"one way", "pattern and path_prefix"},
		},
		{
			name:  "lower-case method",
			doc:   httpBind + webShip + "routes = [{ bind = \"http\", pattern = \"/.*\", methods = [\"get\"] }] " + errMark + "\n",
			key:   "fleet.web[0].routes[0].methods[0]",
			words: []string{"case-sensitive", `"GET"`},
		},

		// Uplinks, flagship, upstreams.
		{
			name:  "uplink with an unknown scheme",
			doc:   "[[mothership.uplinks]]\nname = \"files\"\nurl = \"ftp://files.internal\" " + errMark + "\n",
			key:   "mothership.uplinks[0].url",
			words: []string{`scheme "ftp"`, "postgres", "tcp"},
		},
		{
			name:  "tcp uplink without a port",
			doc:   "[[mothership.uplinks]]\nurl = \"tcp://queue.internal\" " + errMark + "\n",
			key:   "mothership.uplinks[0].url",
			words: []string{"needs a port"},
		},
		{
			name:  "postgres election without election_url",
			doc:   "[mothership.flagship] " + errMark + "\nenabled = true\nelection = \"postgres\"\n",
			key:   "mothership.flagship",
			words: []string{"postgres election needs election_url"},
		},
		{
			name:  "unknown election backend",
			doc:   "[mothership.flagship]\nenabled = true\nelection = \"consul\" " + errMark + "\n",
			key:   "mothership.flagship.election",
			words: []string{`unknown election "consul"`, "static", "postgres"},
		},
		{
			name:  "upstream strategy close to a known one",
			doc:   "[[mothership.upstreams]]\nname = \"api\"\nbinds = [\"3000\", \"3001\"]\nstrategy = \"round_robbin\" " + errMark + "\n",
			key:   "mothership.upstreams[0].strategy",
			words: []string{`unknown strategy "round_robbin"`, "did you mean", `"round_robin"`},
		},
		{
			name:  "WarpDrive strategy far from any known one",
			doc:   "[upstreams.api]\nport = 3000\nstrategy = \"fastest\" " + errMark + "\n",
			key:   "upstreams.api.strategy",
			words: []string{`unknown strategy "fastest"`, "round_robin, least_conn, random, ip_hash"},
		},
		{
			name:  "WarpDrive route to an undeclared upstream",
			doc:   "[upstreams.rails]\nport = 3000\n[[routes]]\npath_prefix = \"/\"\nupstream = \"rials\" " + errMark + "\n",
			key:   "routes[0].upstream",
			words: []string{`no upstream named "rials"`, "did you mean", `"rails"`},
		},

		// The access log.
		{
			name:  "access_log a number",
			doc:   "[mothership]\naccess_log = 1 " + errMark + "\n",
			key:   "mothership.access_log",
			words: []string{"want a file path, true (stdout) or false (no access log)", "integer"},
		},
		{
			name:  "access_log empty",
			doc:   "[mothership]\naccess_log = \"\" " + errMark + "\n",
			key:   "mothership.access_log",
			words: []string{"an empty path"},
		},
		{
			name:  "access_log in a directory that is not there",
			doc:   "[mothership]\naccess_log = \"/nonexistent-dir/access.log\" " + errMark + "\n",
			key:   "mothership.access_log",
			words: []string{"/nonexistent-dir/access.log", "does not exist"},
		},
		{
			name:  "access_log in [config] and [mothership]",
			doc:   "[mothership]\naccess_log = false\n[config]\naccess_log = true " + errMark + "\n",
			key:   "config.access_log",
			words: []string{"both set the access log"},
		},

		// WarpDrive sections mothership does not support: one error each,
		// naming the section; their keys are not reported one by one.
		{
			name:  "WarpDrive [tls] with domains and cert_path",
			doc:   "[server]\nhttp_port = 8080\n[tls]\ndomains = [\"example.com\"]\ncert_path = \"a.pem\" " + errMark + "\n",
			key:   "tls.cert_path",
			words: []string{"cert_path beside domains", "either"},
		},
		{
			name:  "WarpDrive [tls] with acme_directory and no domains",
			doc:   "[server]\nhttp_port = 8080\n[tls] " + errMark + "\nacme_directory = \"/var/lib/acme\"\n",
			key:   "tls",
			words: []string{"without domains"},
		},
		{
			name:  "WarpDrive [tls] without key_path",
			doc:   "[server]\nhttp_port = 8080\n[tls] " + errMark + "\ncert_path = \"a.pem\"\n",
			key:   "tls",
			words: []string{"cert_path and key_path"},
		},
		{
			name:  "ACME without domains",
			doc:   "[mothership.bind]\nhttps = { addr = \"0.0.0.0:443\", tls = { acme = { email = \"a@b.c\" } } } " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme",
			words: []string{"missing domains"},
		},
		{
			name:  "ACME with an empty list of domains",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls.acme]\ndomains = [] " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme.domains",
			words: []string{"an empty list"},
		},
		{
			name:  "ACME with a bad email",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls.acme]\ndomains = [\"example.com\"]\nemail = \"ops at example.com\" " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme.email",
			words: []string{"not an email address"},
		},
		{
			name:  "ACME for an IP address",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls.acme]\ndomains = [\"example.com\", \"192.0.2.1\"] " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme.domains",
			words: []string{"domains[1]", "an IP address"},
		},
		{
			name:  "ACME for a wildcard",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls.acme]\ndomains = [\"*.example.com\"] " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme.domains",
			words: []string{"wildcard", "DNS-01"},
		},
		{
			name:  "ACME for a name with a bad label",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls.acme]\ndomains = [\"-x.example.com\"] " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme.domains",
			words: []string{"not a DNS name"},
		},
		{
			name:  "ACME for a name without a dot",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls.acme]\ndomains = [\"intranet\"] " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme.domains",
			words: []string{"with a dot"},
		},
		{
			name:  "ACME with a plain http CA",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls.acme]\ndomains = [\"example.com\"]\nca = \"http://ca.example.com/dir\" " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme.ca",
			words: []string{"https:// URL"},
		},
		{
			name:  "ACME with an unknown key",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls.acme]\ndomains = [\"example.com\"]\nemial = \"a@b.c\" " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme.emial",
			words: []string{"unknown key", `"email"`},
		},
		{
			name:  "ACME beside cert and key",
			doc:   "[mothership.bind]\nhttps = { addr = \"0.0.0.0:443\", tls = { cert = \"a.pem\", key = \"a.key\", acme = { domains = [\"example.com\"] } } } " + errMark + "\n",
			key:   "mothership.bind.https.tls.acme",
			words: []string{"acme beside cert and key"},
		},
		{
			name:  "ACME in a list of pairs",
			doc:   "[mothership.bind]\nhttps = { addr = \"0.0.0.0:443\", tls = [{ acme = { domains = [\"example.com\"] } }] } " + errMark + "\n",
			key:   "mothership.bind.https.tls[0].acme",
			words: []string{"stand alone"},
		},
		{
			name:  "TLS bind without a key",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\ntls = { cert = \"a.pem\" } " + errMark + "\n",
			key:   "mothership.bind.https.tls",
			words: []string{"missing key"},
		},
		// Redirects to HTTPS and HSTS.
		{
			name:  "redirect_https with no TLS bind",
			doc:   "[mothership.bind]\nhttp = { addr = \"0.0.0.0:80\", redirect_https = true } " + errMark + "\n",
			key:   "mothership.bind.http.redirect_https",
			words: []string{"needs a bind with tls", "has none"},
		},
		{
			name:  "redirect_https = true among two TLS binds",
			doc:   "[mothership.bind]\nhttp = { addr = \"0.0.0.0:80\", redirect_https = true } " + errMark + "\na = { addr = \"0.0.0.0:443\", tls = { cert = \"a.pem\", key = \"a.key\" } }\nb = { addr = \"0.0.0.0:8443\", tls = { cert = \"a.pem\", key = \"a.key\" } }\n",
			key:   "mothership.bind.http.redirect_https",
			words: []string{"which TLS bind", "there are 2 (a, b)", `redirect_https = "a"`},
		},
		{
			name:  "redirect_https naming a plain bind",
			doc:   "[mothership.bind]\nhttp = { addr = \"0.0.0.0:80\", redirect_https = \"htps\" } " + errMark + "\nhttps = { addr = \"0.0.0.0:443\", tls = { cert = \"a.pem\", key = \"a.key\" } }\nhtps = \"0.0.0.0:81\"\n",
			key:   "mothership.bind.http.redirect_https",
			words: []string{"no TLS bind of that name", "did you mean", `"https"`},
		},
		{
			name:  "redirect_https on a TLS bind",
			doc:   "[mothership.bind]\nhttps = { addr = \"0.0.0.0:443\", tls = { cert = \"a.pem\", key = \"a.key\" }, redirect_https = true } " + errMark + "\n",
			key:   "mothership.bind.https.redirect_https",
			words: []string{"for a plain bind", "hsts = true"},
		},
		{
			name:  "hsts on a plain bind",
			doc:   "[mothership.bind]\nhttp = { addr = \"0.0.0.0:80\", hsts = true } " + errMark + "\n",
			key:   "mothership.bind.http.hsts",
			words: []string{"for a TLS bind", "RFC 6797", "redirect_https"},
		},
		{
			name:  "hsts without max-age",
			doc:   "[mothership.bind]\nhttps = { addr = \"0.0.0.0:443\", tls = { cert = \"a.pem\", key = \"a.key\" }, hsts = \"includeSubDomains\" } " + errMark + "\n",
			key:   "mothership.bind.https.hsts",
			words: []string{"starts with max-age=<seconds>"},
		},
		{
			name:  "hsts as a number",
			doc:   "[mothership.bind]\nhttps = { addr = \"0.0.0.0:443\", tls = { cert = \"a.pem\", key = \"a.key\" }, hsts = 3600 } " + errMark + "\n",
			key:   "mothership.bind.https.hsts",
			words: []string{"Strict-Transport-Security value"},
		},
		{
			name:  "TLS bind with tls as a string",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\ntls = \"a.pem\" " + errMark + "\n",
			key:   "mothership.bind.https.tls",
			words: []string{"cert", "key"},
		},
		{
			name:  "TLS bind with an unknown key",
			doc:   "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls]\ncert = \"a.pem\"\nkey = \"a.key\"\nkeys = \"x\" " + errMark + "\n",
			key:   "mothership.bind.https.tls.keys",
			words: []string{"unknown key", `"key"`},
		},
		{
			name:  "WarpDrive [cache]",
			doc:   "[upstreams.api]\nport = 3000\n[cache] " + errMark + "\nsize_bytes = 1024\n",
			key:   "cache",
			words: []string{"[cache]", "response cache", "does not support"},
		},
		{
			name:  "WarpDrive [postgres]",
			doc:   "[upstreams.api]\nport = 3000\n[postgres] " + errMark + "\nurl = \"postgres://localhost/x\"\n",
			key:   "postgres",
			words: []string{"[postgres]", "PostgreSQL", "does not support"},
		},
		{
			name:  "WarpDrive [middleware]",
			doc:   "[upstreams.api]\nport = 3000\n[middleware] " + errMark + "\nlog_requests = true\n",
			key:   "middleware",
			words: []string{"[middleware]", "middleware", "does not support"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			line := markedLine(c.doc)
			if line == 0 {
				t.Fatalf("%s: the document marks no line with %q", c.name, errMark)
			}
			m, err := manifest.Parse("case.toml", []byte(c.doc), lookupFrom(c.env))
			if err == nil {
				t.Fatalf("%s: no error; want one at line %d, key %s", c.name, line, c.key)
			}
			var probs manifest.Problems
			if !errors.As(err, &probs) {
				t.Fatalf("%s: error is a %T, not manifest.Problems: %v", c.name, err, err)
			}
			if m == nil {
				t.Errorf("%s: nil manifest for sound TOML", c.name)
			}
			if len(probs) != 1 {
				t.Fatalf("%s: want exactly 1 error, got %d:\n%v", c.name, len(probs), probs)
			}
			p := probs[0]
			if p.File != "case.toml" || p.Line != line || p.Key != c.key || p.Warning {
				t.Errorf("%s: want an error at case.toml:%d key %s, got %s (warning=%v)", c.name, line, c.key, p.Error(), p.Warning)
			}
			for _, w := range c.words {
				if !strings.Contains(p.Message, w) {
					t.Errorf("%s: message %q lacks %q", c.name, p.Message, w)
				}
			}
		})
	}
}

// TestSyntaxError checks that broken TOML is reported with its line and no
// manifest, so that nothing half-read goes on.
func TestSyntaxError(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		line int
	}{
		{"unclosed string", "[[fleet.web]]\nname = \"web\ncommand = \"web\"\n", 2},
		{"missing value", "[mothership]\nmetrics_port =\n", 2},
		{"duplicate key", "[mothership]\ncompression = true\ncompression = false\n", 3},
		{"unclosed table header", "[mothership\nmetrics_port = 9090\n", 1},
		{"table and value of one name", "[mothership]\ncors_cache = true\n[mothership.cors_cache]\nenabled = true\n", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := manifest.Parse("case.toml", []byte(c.doc), lookupFrom(nil))
			if m != nil {
				t.Errorf("%s: want a nil manifest, got %+v", c.name, m)
			}
			var probs manifest.Problems
			if !errors.As(err, &probs) {
				t.Fatalf("%s: want manifest.Problems, got %T: %v", c.name, err, err)
			}
			if len(probs) != 1 {
				t.Fatalf("%s: want 1 problem, got %d:\n%v", c.name, len(probs), probs)
			}
			p := probs[0]
			if p.File != "case.toml" || p.Line != c.line || !strings.HasPrefix(p.Message, "TOML: ") {
				t.Errorf("%s: want a TOML error at case.toml:%d, got %s", c.name, c.line, p.Error())
			}
		})
	}
}

// TestExpansionInManifest checks that `${VAR:-default}` and `$$` work where
// the manifest expands variables, with no error.
func TestExpansionInManifest(t *testing.T) {
	doc := "[mothership.bind]\nhttp = \"${HTTP_ADDR:-0.0.0.0:8080}\"\n" +
		"[mothership.env]\nPRICE = \"$$5\"\n" +
		webShip + "bind = \"127.0.0.1:${WEB_PORT:-3000}\"\n" +
		"env = { DATABASE_URL = \"${DATABASE_URL:-postgres://localhost/dev}\", HOME_DIR = \"$HOME\", LITERAL = \"$${HOME}\", SET = \"${SET:-unused}\" }\n" +
		"[[mothership.uplinks]]\nurl = \"${REDIS_URL:-redis://localhost:6379}\"\n"
	m, err := manifest.Parse("case.toml", []byte(doc), lookupFrom(map[string]string{"HOME": "/home/ship", "SET": "from-env"}))
	if err != nil {
		t.Fatalf("expansion: %v", err)
	}
	checks := []struct{ name, got, want string }{
		{"bind default", m.Mothership.Binds[0].Addr.Address, "0.0.0.0:8080"},
		{"$$ in mothership env", m.Mothership.Env["PRICE"], "$5"},
		{"default inside a ship bind", m.Ships[0].Bind.Address, "127.0.0.1:3000"},
		{"default in env", m.Ships[0].Env["DATABASE_URL"], "postgres://localhost/dev"},
		{"set variable in env", m.Ships[0].Env["HOME_DIR"], "/home/ship"},
		{"$$ before braces is literal", m.Ships[0].Env["LITERAL"], "${HOME}"},
		{"set variable wins over default", m.Ships[0].Env["SET"], "from-env"},
		{"default in uplink url", m.Mothership.Uplinks[0].URL, "redis://localhost:6379"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}
