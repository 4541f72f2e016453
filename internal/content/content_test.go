package content

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

// TestAnswersAsServeContent compares Serve's answers with net/http's
// ServeContent's, which served static files and bays' file replies before
// the engine was ours: conditional requests and ranges keep their answers.
func TestAnswersAsServeContent(t *testing.T) {
	content := "0123456789abcdefghijklmnopqrstuvwxyz"
	mod := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	before, after := mod.Add(-time.Hour).Format(httpTime), mod.Add(time.Hour).Format(httpTime)
	for _, tc := range []struct {
		name, method, etag string
		fields             []string
	}{
		{"whole file", "GET", "", nil},
		{"HEAD", "HEAD", "", nil},
		{"one range", "GET", "", []string{"Range", "bytes=2-5"}},
		{"open range", "GET", "", []string{"Range", "bytes=30-"}},
		{"suffix range", "GET", "", []string{"Range", "bytes=-4"}},
		{"range past the end", "GET", "", []string{"Range", "bytes=30-99"}},
		{"two ranges", "GET", "", []string{"Range", "bytes=0-1, 4-6"}},
		{"no range overlaps", "GET", "", []string{"Range", "bytes=99-"}},
		{"one range overlaps, one not", "GET", "", []string{"Range", "bytes=99-, 1-2"}},
		{"malformed range", "GET", "", []string{"Range", "bytes=5-2"}},
		{"If-Modified-Since after", "GET", "", []string{"If-Modified-Since", after}},
		{"If-Modified-Since before", "GET", "", []string{"If-Modified-Since", before}},
		{"If-Modified-Since on a POST", "POST", "", []string{"If-Modified-Since", after}},
		{"If-Unmodified-Since before", "GET", "", []string{"If-Unmodified-Since", before}},
		{"If-Unmodified-Since after", "GET", "", []string{"If-Unmodified-Since", after}},
		{"If-None-Match hit", "GET", `"v1"`, []string{"If-None-Match", `"v0", W/"v1"`}},
		{"If-None-Match miss", "GET", `"v1"`, []string{"If-None-Match", `"v2"`}},
		{"If-None-Match star on a PUT", "PUT", `"v1"`, []string{"If-None-Match", "*"}},
		{"If-None-Match over If-Modified-Since", "GET", `"v1"`, []string{"If-None-Match", `"v2"`, "If-Modified-Since", after}},
		{"If-Match hit", "GET", `"v1"`, []string{"If-Match", `"v1"`}},
		{"If-Match weak is no match", "GET", `W/"v1"`, []string{"If-Match", `W/"v1"`}},
		{"If-Match miss", "GET", `"v1"`, []string{"If-Match", `"v2"`}},
		{"If-Range etag holds", "GET", `"v1"`, []string{"Range", "bytes=0-3", "If-Range", `"v1"`}},
		{"If-Range etag fails", "GET", `"v1"`, []string{"Range", "bytes=0-3", "If-Range", `"v2"`}},
		{"If-Range date holds", "GET", "", []string{"Range", "bytes=0-3", "If-Range", mod.Format(httpTime)}},
		{"If-Range date fails", "GET", "", []string{"Range", "bytes=0-3", "If-Range", before}},
	} {
		req := httptest.NewRequest(tc.method, "/report", nil)
		for i := 0; i < len(tc.fields); i += 2 {
			req.Header.Add(tc.fields[i], tc.fields[i+1])
		}
		want := httptest.NewRecorder()
		want.Header().Set("Content-Type", "text/plain")
		if tc.etag != "" {
			want.Header().Set("Etag", tc.etag)
		}
		http.ServeContent(want, req, "", mod, strings.NewReader(content))

		x := &pipeline.Exchange{Method: tc.method, Response: &pipelinetest.Recorder{}}
		for i := 0; i+1 < len(tc.fields); i += 2 {
			x.Header.Add(tc.fields[i], tc.fields[i+1])
		}
		x.Response.Header().Set("Content-Type", "text/plain")
		if tc.etag != "" {
			x.Response.Header().Set("Etag", tc.etag)
		}
		if err := Serve(x, strings.NewReader(content), int64(len(content)), mod); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := x.Response.(*pipelinetest.Recorder)
		if got.Code != want.Code {
			t.Errorf("%s: status %d, ServeContent answered %d", tc.name, got.Code, want.Code)
		}
		if want.Code >= 400 {
			continue // the body is an error text either way
		}
		if g, w := boundaries(string(got.Body)), boundaries(want.Body.String()); g != w && tc.method != "HEAD" {
			t.Errorf("%s: body %q, ServeContent sent %q", tc.name, g, w)
		}
		if cl := x.Response.Header().Get("Content-Length"); tc.method != "HEAD" && got.Code != 304 && cl != strconv.Itoa(len(got.Body)) {
			t.Errorf("%s: Content-Length %s for a body of %d bytes", tc.name, cl, len(got.Body))
		}
		for _, name := range []string{"Content-Range", "Content-Length", "Accept-Ranges", "Last-Modified", "Etag"} {
			if g, w := x.Response.Header().Get(name), want.Header().Get(name); g != w && !(name == "Content-Length" && strings.Contains(want.Header().Get("Content-Type"), "multipart")) {
				t.Errorf("%s: %s %q, ServeContent sent %q", tc.name, name, g, w)
			}
		}
	}
}

var boundary = regexp.MustCompile(`[0-9a-f]{16,}`)

// boundaries masks multipart boundaries, which are random.
func boundaries(s string) string { return boundary.ReplaceAllString(s, "BOUNDARY") }

// TestWhereServeContentStrays checks the cases in which ServeContent does
// not do what RFC 9110 says, and Serve does.
func TestWhereServeContentStrays(t *testing.T) {
	for _, tc := range []struct {
		name, method, rng string
		status            int
		contentRange      string
	}{
		// §14.1.1: a suffix of zero bytes is unsatisfiable; ServeContent
		// answers 206 with the invalid Content-Range "bytes 10-9/10".
		{"suffix of zero bytes", "GET", "bytes=-0", 416, "bytes */10"},
		// §14.2: a range unit the server does not know is ignored;
		// ServeContent answers 416.
		{"another unit", "GET", "lines=1-2", 200, ""},
		// §14.2: Range is defined for GET only; ServeContent answers a
		// HEAD 206.
		{"HEAD", "HEAD", "bytes=1-2", 200, ""},
	} {
		rec := &pipelinetest.Recorder{}
		x := &pipeline.Exchange{Method: tc.method, Response: rec}
		x.Header.Add("Range", tc.rng)
		if err := Serve(x, strings.NewReader("0123456789"), 10, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if rec.Code != tc.status || rec.Header().Get("Content-Range") != tc.contentRange {
			t.Errorf("%s: %d, Content-Range %q; want %d, %q", tc.name, rec.Code, rec.Header().Get("Content-Range"), tc.status, tc.contentRange)
		}
	}
}

func TestRangesAreMergedAndBounded(t *testing.T) {
	many := func(n int) string {
		s := "bytes=0-0"
		for i := 1; i < n; i++ {
			s += fmt.Sprintf(",%d-%d", 2*i, 2*i)
		}
		return s
	}
	for _, tc := range []struct {
		name, spec string
		want       []byteRange
	}{
		{"overlapping", "bytes=0-30,1-30", []byteRange{{0, 31}}},
		{"adjacent, out of order", "bytes=10-19,0-9", []byteRange{{0, 20}}},
		{"apart", "bytes=20-21,0-1", []byteRange{{0, 2}, {20, 2}}},
		{"16 ranges", many(16), nil},
		{"17 ranges: the whole file", many(17), nil},
	} {
		got, err := parseRanges(tc.spec, 100)
		if tc.name == "16 ranges" {
			if err != nil || len(got) != 16 {
				t.Errorf("%s: %d ranges, %v; want 16", tc.name, len(got), err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
