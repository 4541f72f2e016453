package docking

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// appendWriter lets a json.Encoder write straight into a frame buffer.
type appendWriter struct{ buf []byte }

func (a *appendWriter) Write(p []byte) (int, error) {
	a.buf = append(a.buf, p...)
	return len(p), nil
}

// appendJSON appends v as a frame of type t with a JSON payload. HTML
// characters are not escaped: the peers are not browsers, and a
// database_url keeps its '&' readable in their logs.
func appendJSON(dst []byte, t Type, v any) ([]byte, error) {
	start := len(dst)
	a := appendWriter{buf: appendHeader(dst, t, 0)}
	e := json.NewEncoder(&a)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return dst, fmt.Errorf("docking: encode %s: %w", t, err)
	}
	buf := bytes.TrimSuffix(a.buf, []byte("\n"))
	if n := len(buf) - start - HeaderLen; n > MaxFramePayload {
		return dst, fmt.Errorf("docking: %s of %d bytes: %w", t, n, ErrFrameTooLarge)
	}
	patchLength(buf, start)
	return buf, nil
}

// decodeJSON reads a JSON object payload of type t into v. Unknown keys are
// ignored, as the peers' decoders ignore them.
func decodeJSON(t Type, payload []byte, v any) error {
	if p := bytes.TrimLeft(payload, " \t\r\n"); len(p) == 0 || p[0] != '{' {
		return malformed(t, "not a JSON object")
	}
	if err := json.Unmarshal(payload, v); err != nil {
		return malformed(t, "%v", err)
	}
	return nil
}

// orEmpty returns m, or an empty map for nil, so that a map encodes as {}
// and never as null, which the WebSocket bay's decoder refuses.
func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
