package docking

// The protocol versions, one per family, carried by Dock and Moored.
const (
	// VersionWebSocket is the v1 family: WebSocket clients multiplexed
	// over one link.
	VersionWebSocket = 1
	// VersionHTTP is the v3 family: one HTTP request at a time per link.
	VersionHTTP = 3
)

// Dock (0x01, bay → Mothership, JSON) is the first frame on every link.
type Dock struct {
	// Version is the bay's family: VersionWebSocket or VersionHTTP.
	Version int `json:"version"`
	// Ship is the bay's name, its MS_SHIP.
	Ship string `json:"ship"`
	// PID is the pid of the process serving the link, so that a worker
	// stuck on a request can be recycled; 0 when not sent.
	PID int `json:"pid,omitempty"`
	// Threads is how many links each worker serves, so that the pool can
	// be sized; 0 when not sent.
	Threads int `json:"threads,omitempty"`
	// Binary, from a WebSocket bay, says it takes and sends Freight, so
	// that binary messages keep their opcode; false when not sent.
	Binary bool `json:"binary,omitempty"`
}

// Append appends d as a frame.
func (d Dock) Append(dst []byte) ([]byte, error) { return appendJSON(dst, TypeDock, d) }

// Decode reads d from a Dock payload.
func (d *Dock) Decode(payload []byte) error {
	*d = Dock{}
	return decodeJSON(TypeDock, payload, d)
}

// Moored (0x02, Mothership → bay, JSON) answers Dock.
type Moored struct {
	// Version is the family Mothership speaks on the link.
	Version int `json:"version"`
	// Config is the bay's config table from the manifest. Values are
	// strings, since the WebSocket bay's decoder refuses anything else; it
	// is sent as {} when empty, never left out.
	Config map[string]string `json:"config"`
	// Binary agrees to Freight, answering a WebSocket bay's Dock.Binary.
	Binary bool `json:"binary,omitempty"`
}

// Append appends m as a frame.
func (m Moored) Append(dst []byte) ([]byte, error) {
	m.Config = orEmpty(m.Config)
	return appendJSON(dst, TypeMoored, m)
}

// Decode reads m from a Moored payload.
func (m *Moored) Decode(payload []byte) error {
	*m = Moored{}
	return decodeJSON(TypeMoored, payload, m)
}
