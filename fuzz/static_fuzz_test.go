package fuzz

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/internal/testfs"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/proxy"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

const staticSecret = "FUZZ-SECRET-7f3c"

// staticPathSeeds are request targets: plain, traversing in every spelling,
// and through symlinks.
var staticPathSeeds = []string{
	"/", "/index.html", "/sub/", "/s/file.txt", "/link-in",
	"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/..%2f..%2fsecret.txt",
	`/a\..\..\secret.txt`, "/..%5csecret.txt", "/s/../../secret.txt", "/s/%2e%2e/%2e%2e/secret.txt",
	"/link-out", "/dir-out/secret.txt", "/sub/link-top", "/../public-other/secret.txt",
	"/%2e%2e/public-other/secret.txt", "//secret.txt", "/.%2e/secret.txt", "/secret.txt%00",
	"*", "http://x/../secret.txt", "/index.html?x=/../secret.txt", "0",
}

// FuzzStaticPath sends any request target to a running server whose static
// root is next to secret files (one outside the root, one in a sibling
// directory whose name extends the root's, one behind symlinks pointing
// out): whatever the path, the secret never appears in an answer.
func FuzzStaticPath(f *testing.F) {
	for _, s := range staticPathSeeds {
		f.Add(s)
	}
	addr := startStaticServer(f)
	// The server does serve the root: a file through a symlink in it.
	if res, err := http.Get("http://" + addr + "/link-in"); err != nil {
		f.Fatal(err)
	} else {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(body) != "a file" {
			f.Fatalf("GET /link-in: %d %q, want the file", res.StatusCode, body)
		}
	}
	// One keep-alive connection per worker, dialed again when the server
	// closes it (after a 400, say): a connection per input would run the
	// machine out of ports.
	var conn net.Conn
	var rd *bufio.Reader
	f.Cleanup(func() {
		if conn != nil {
			conn.Close()
		}
	})
	f.Fuzz(func(t *testing.T, target string) {
		if strings.Contains(target, staticSecret) {
			return // an answer may echo the path (a redirect's Location)
		}
		if len(target) > 4096 {
			// Past the header limit the server refuses the request (431)
			// and resets the connection while the client still writes:
			// slow, and no path reaches the stage.
			return
		}
		target = requestTarget(target)
		for _, method := range []string{"GET", "HEAD"} {
			// A connection the server closed (it may reset one it answered
			// 400 with unread input) gets a second try on a fresh one; an
			// answer that cannot be read served nothing.
			for try := 0; try < 2; try++ {
				res, body, err := exchange(&conn, &rd, addr, method, target)
				if err != nil {
					continue
				}
				if strings.Contains(string(body), staticSecret) {
					t.Fatalf("%s %q served the secret: %d %v\n%s", method, target, res.StatusCode, res.Header, body)
				}
				break
			}
		}
	})
}

// requestTarget percent-encodes the bytes a request line cannot carry
// (controls, space, DEL, non-ASCII), so that the server reads the path
// the fuzzer meant, decoded, instead of answering 400 and closing.
func requestTarget(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// exchange sends one request on *conn, dialing it first when nil, and
// reads the answer; the connection is dropped when the answer closes it or
// anything fails.
func exchange(conn *net.Conn, rd **bufio.Reader, addr, method, target string) (*http.Response, []byte, error) {
	if *conn == nil {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, nil, err
		}
		*conn, *rd = c, bufio.NewReader(c)
	}
	c := *conn
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: site.test\r\nAccept-Encoding: br, gzip\r\n\r\n", method, target)
	res, err := http.ReadResponse(*rd, &http.Request{Method: method})
	var body []byte
	if err == nil {
		body, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	if err != nil || res.Close {
		c.Close()
		*conn = nil
	}
	return res, body, err
}

// startStaticServer lays the files out and serves them, until the fuzz
// target ends.
func startStaticServer(f *testing.F) string {
	base := f.TempDir()
	files := map[string]string{
		"secret.txt":              staticSecret,
		"public-other/secret.txt": staticSecret,
		"public/index.html":       "<h1>home</h1>",
		"public/file.txt":         "a file",
		"public/sub/file.txt":     "in sub",
		"public/sub/s.txt.gz":     staticSecret[:4], // not the whole secret
	}
	testfs.Lay(f, base, files, map[string]string{
		"public/link-out":     "../secret.txt",
		"public/link-abs":     filepath.Join(base, "secret.txt"),
		"public/dir-out":      "..",
		"public/link-in":      "file.txt",
		"public/sub/link-top": "../../secret.txt",
		"public/other":        "../public-other",
		"public/file.txt.gz":  "../secret.txt",
	})
	public := filepath.Join(base, "public")
	doc := "[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n" +
		"[[mothership.static_dirs]]\npath = \"" + public + "\"\nprefix = \"/\"\n\n" +
		"[[mothership.static_dirs]]\npath = \"" + filepath.Join(public, "sub") + "\"\nprefix = \"/s\"\n\n" +
		"[[fleet.web]]\nname = \"app\"\ncommand = \"app\"\nbind = \"127.0.0.1:9\"\nroutes = [{ path_prefix = \"/api\" }]\n"
	m, err := manifest.Parse("fuzz.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		f.Fatal(err)
	}
	for _, b := range m.Mothership.Binds {
		b.Addr.Address = "127.0.0.1:0" // any free port
	}
	tree, err := routetree.Compile(m)
	if err != nil {
		f.Fatal(err)
	}
	s, err := proxy.New(m, tree, proxy.Options{Resolve: upstream.ManifestResolver(m)})
	if err != nil {
		f.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		f.Fatal(err)
	}
	go s.Serve()
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s.Addr("http").String()
}
