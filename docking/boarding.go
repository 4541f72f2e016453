package docking

import "strings"

// Boarding (0x10, Mothership → bay, JSON, v1) announces a client WebSocket.
type Boarding struct {
	// ConnID names the connection in later Cargo and Disembark frames.
	ConnID uint32 `json:"conn_id"`
	// Path is the request path with its query; see BoardingPath.
	Path       string `json:"path"`
	RemoteAddr string `json:"remote_addr"`
	// Headers has one value per header name; see AddHeader.
	Headers map[string]string `json:"headers"`
}

// Append appends b as a frame; nil Headers are sent as {}.
func (b Boarding) Append(dst []byte) ([]byte, error) {
	b.Headers = orEmpty(b.Headers)
	return appendJSON(dst, TypeBoarding, b)
}

// Decode reads b from a Boarding payload.
func (b *Boarding) Decode(payload []byte) error {
	*b = Boarding{}
	return decodeJSON(TypeBoarding, payload, b)
}

// BoardingPath returns the path a Boarding carries: the request's path,
// followed by '?' and the query when there is one, so that a bay reading
// parameters from the upgrade URL ("/cable?token=…") gets them.
func BoardingPath(path, rawQuery string) string {
	if rawQuery == "" {
		return path
	}
	return path + "?" + rawQuery
}

// AddHeader adds a request header to b.Headers. The name is lowercased, as
// the WebSocket bay reads names lowercased anyway, so that a repeated
// header keeps one key whatever its case; repeated values are joined with
// ", ", the list form of RFC 9110 §5.3. (Set-Cookie, the one header that
// cannot be joined that way, is a response header and never comes here.)
func (b *Boarding) AddHeader(name, value string) {
	if b.Headers == nil {
		b.Headers = map[string]string{}
	}
	name = strings.ToLower(name)
	if prev, ok := b.Headers[name]; ok {
		value = prev + ", " + value
	}
	b.Headers[name] = value
}

// Disembark (0x11, both ways, JSON, v1) closes a client WebSocket. From
// Mothership it says the client has gone; from the bay it asks Mothership to
// close the client with this code and reason.
type Disembark struct {
	ConnID uint32 `json:"conn_id"`
	Code   uint16 `json:"code"`
	Reason string `json:"reason"`
}

// Append appends d as a frame.
func (d Disembark) Append(dst []byte) ([]byte, error) {
	return appendJSON(dst, TypeDisembark, d)
}

// Decode reads d from a Disembark payload.
func (d *Disembark) Decode(payload []byte) error {
	*d = Disembark{}
	return decodeJSON(TypeDisembark, payload, d)
}
