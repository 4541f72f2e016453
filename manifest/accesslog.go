package manifest

import (
	"os"
	"path/filepath"
)

// AccessLog is where `access_log` sends the access log, one line per
// request: stdout when the key is left out or true, a file for a path,
// nowhere for false.
type AccessLog struct {
	// Off is `access_log = false`: no access log.
	Off bool
	// Path is the file of `access_log = "path"` ($VAR expanded), relative
	// to the manifest's directory; "" is stdout.
	Path string
	// Pos is where the key is set; zero when it is not.
	Pos Pos
}

// AccessLogFile is the access log's file, relative paths taken from the manifest's
// directory; "" for stdout or none.
func (m *Manifest) AccessLogFile() string {
	if a := m.Mothership.AccessLog; !a.Off && a.Path != "" {
		return m.Path(a.Path)
	}
	return ""
}

// readAccessLog reads `access_log` of the table t: true, false or a path.
func readAccessLog(t *table) AccessLog {
	v, ok := t.get("access_log")
	if !ok {
		return AccessLog{}
	}
	a := AccessLog{Pos: t.r.pos.of(t.key("access_log"))}
	switch v := v.(type) {
	case bool:
		a.Off = !v
	case string:
		p, ok := t.expanded("access_log")
		if !ok {
			return a
		}
		if p == "" {
			t.r.errorf(t.key("access_log"), "an empty path; want a file, true (stdout) or false (no access log)")
		}
		a.Path = p
	default:
		t.typeErr("access_log", "a file path, true (stdout) or false (no access log)", v)
	}
	return a
}

// checkAccessLog refuses an access log file in a directory that is not
// there, before anything starts.
func checkAccessLog(r *reader, m *Manifest) {
	p := m.AccessLogFile()
	if p == "" {
		return
	}
	if fi, err := os.Stat(filepath.Dir(p)); err != nil || !fi.IsDir() {
		r.errorf(m.Mothership.AccessLog.Pos.Key, "the directory of %s does not exist", p)
	}
}
