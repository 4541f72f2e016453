package main

import (
	"fmt"

	"github.com/mothership-go/mothership/docking"
)

// maxBody is the largest body bayd keeps in memory. A larger one is still
// read to its end, so that the link stays in step, and answered with 413.
const maxBody = 64 << 20

// request is what bayd needs of a request, copied out of the Hail: its
// params alias the link's read buffer, which the body's Hauls overwrite.
type request struct {
	id                    uint32
	method, path, query   string
	contentType           string
	upgrade, websocketKey string
	params                []byte // "NAME=value\n" for each param, in the Hail's order
	body                  []byte
	bodyLen               uint64 // the body's length, even when not kept
	tooLarge              bool   // the body was over maxBody and dropped
}

// readRequest reads a request whose Hail is f: the head, then its body as
// Hauls. It refuses what the HTTP bay refuses: a frame other than a Hail,
// a Haul of another request, and a body that does not add up to the
// Hail's content length at FIN.
func readRequest(l *link, f docking.Frame) (*request, error) {
	if err := f.Expect(docking.TypeHail); err != nil {
		return nil, err
	}
	h := &l.hail
	if err := h.Decode(f.Payload); err != nil {
		return nil, err
	}
	param := func(name string) string {
		v, _ := h.Param(name)
		return string(v)
	}
	req := &request{
		id:           h.RequestID,
		method:       param("REQUEST_METHOD"),
		path:         param("PATH_INFO"),
		query:        param("QUERY_STRING"),
		contentType:  param("CONTENT_TYPE"),
		upgrade:      param("HTTP_UPGRADE"),
		websocketKey: param("HTTP_SEC_WEBSOCKET_KEY"),
		bodyLen:      h.ContentLength,
		tooLarge:     h.ContentLength > maxBody,
	}
	for _, p := range h.Params {
		req.params = fmt.Appendf(req.params, "%s=%s\n", p.Name, p.Value)
	}
	if h.ContentLength == 0 {
		return req, nil // no Haul follows an empty body
	}
	if !req.tooLarge {
		req.body = make([]byte, 0, h.ContentLength)
	}
	var got uint64
	for {
		f, err := l.r.Next()
		if err != nil {
			return nil, fmt.Errorf("request %d body: %w", req.id, err)
		}
		if err := f.Expect(docking.TypeHaul); err != nil {
			return nil, fmt.Errorf("request %d body: %w", req.id, err)
		}
		var haul docking.Haul
		if err := haul.Decode(f.Payload); err != nil {
			return nil, err
		}
		if haul.RequestID != req.id {
			return nil, fmt.Errorf("Haul for request %d during request %d", haul.RequestID, req.id)
		}
		got += uint64(len(haul.Data))
		if got > req.bodyLen {
			return nil, fmt.Errorf("request %d body: %d bytes, more than its content length %d", req.id, got, req.bodyLen)
		}
		if !req.tooLarge {
			req.body = append(req.body, haul.Data...)
		}
		if haul.Fin {
			break
		}
	}
	if got != req.bodyLen {
		return nil, fmt.Errorf("request %d body: %d bytes at FIN, content length %d", req.id, got, req.bodyLen)
	}
	return req, nil
}
