package fleet

import (
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/mothership-go/mothership/manifest"
)

// mergeEnv appends the layers to base in order; os/exec keeps the last
// value of a key that appears twice, so later layers win.
func mergeEnv(base []string, layers ...map[string]string) []string {
	out := slices.Clone(base)
	for _, layer := range layers {
		for _, k := range slices.Sorted(maps.Keys(layer)) {
			out = append(out, k+"="+layer[k])
		}
	}
	return out
}

// lookupEnv finds key in env; the last entry wins, as in os/exec.
func lookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v, true
		}
	}
	return "", false
}

func supervisorPID() string { return strconv.Itoa(os.Getpid()) }

func portOf(a manifest.Addr) string {
	_, port, _ := net.SplitHostPort(a.Address)
	return port
}

// expandPort replaces $PORT and ${PORT} in s; the manifest leaves them
// alone because the port may only be known at launch. Other variables,
// and $PORTS or $PORT_X, are not ours to touch.
func expandPort(s, port string) string {
	if port == "" || !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "${PORT}"):
			b.WriteString(port)
			i += len("${PORT}") - 1
		case strings.HasPrefix(rest, "$PORT") && (len(rest) == 5 || !isNameByte(rest[5])):
			b.WriteString(port)
			i += len("$PORT") - 1
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// bayEnv is what the supervisor tells a bay about itself; the workers,
// threads and drain of an HTTP bay are its alone.
func bayEnv(b *manifest.Bay, sockets string) map[string]string {
	env := map[string]string{
		"MS_PID":         supervisorPID(),
		"MS_SHIP":        b.Name,
		"MS_SOCKET_DIR":  sockets,
		"MS_SOCKET_PATH": socketFor(sockets, b.Name, 0),
		"MS_BAY_TYPE":    b.Type,
	}
	if b.Type == "http" {
		env["MS_BAY_WORKERS"] = strconv.Itoa(b.WorkerCount())
		env["MS_BAY_THREADS"] = strconv.Itoa(b.Threads)
		// The bay's grace for in-flight requests when it is told to stop:
		// as long as one request may take.
		env["MS_BAY_DRAIN_TIMEOUT"] = strconv.FormatFloat(b.RequestTimeout.Seconds(), 'f', -1, 64)
	}
	return env
}
