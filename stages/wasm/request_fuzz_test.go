package wasm

import (
	"encoding/json"
	"testing"

	"github.com/mothership-go/mothership/pipeline"
)

// FuzzExchangeJSON checks that the exchange's JSON is valid whatever the
// request holds, and that a guest decodes each string as encoding/json
// would have written it (bytes that are not UTF-8 become U+FFFD).
func FuzzExchangeJSON(f *testing.F) {
	f.Add("GET", "/a b", "q=\"1\"", "X-A", "v\\\x00\x7f")
	f.Add("POST", "/\xff\xfe", "", "Ü", "\u2028<&>")
	f.Fuzz(func(t *testing.T, method, path, query, name, value string) {
		x := &pipeline.Exchange{Method: method, Path: path, RawQuery: query}
		x.Header.Add(name, value)
		c := &call{x: x}
		out := c.requestJSON()
		var got struct {
			Method, Path, Query string
			Headers             [][2]string
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("invalid JSON %q: %v", out, err)
		}
		want := func(s string) string {
			b, _ := json.Marshal(s)
			var r string
			json.Unmarshal(b, &r)
			return r
		}
		if got.Method != want(method) || got.Path != want(path) || got.Query != want(query) ||
			len(got.Headers) != 1 || got.Headers[0] != [2]string{want(name), want(value)} {
			t.Errorf("JSON %q decodes to %+v", out, got)
		}
	})
}
