package pipeline

import "github.com/mothership-go/mothership/internal/httpsyntax"

// Field is one header field: its name as sent (wire case) and its value
// without the whitespace around it. In a request both usually point into
// the engine's read buffer; see the package doc for how long they live.
type Field struct {
	Name  string
	Value string
}

// Header is an ordered list of header fields, in wire order, names in the
// case they were sent. Lookups ignore ASCII case. The zero value is empty
// and ready to use. Methods that add fields grow one backing array that is
// kept across Reset, so that a Header reused per request stops allocating.
type Header struct {
	fields []Field
}

// Len is the number of fields.
func (h *Header) Len() int { return len(h.fields) }

// Fields returns the fields in order. The slice is the header's own: do
// not keep it past the next change.
func (h *Header) Fields() []Field { return h.fields }

// Name returns the name of the i-th field.
func (h *Header) Name(i int) string { return h.fields[i].Name }

// Value returns the value of the i-th field.
func (h *Header) Value(i int) string { return h.fields[i].Value }

// Index returns the position of the first field named name at or after
// from, or -1; with it, repeated fields are walked without a closure:
//
//	for i := h.Index(name, 0); i >= 0; i = h.Index(name, i+1) { … }
func (h *Header) Index(name string, from int) int {
	for i := from; i < len(h.fields); i++ {
		if httpsyntax.EqualFoldBoth(h.fields[i].Name, name) {
			return i
		}
	}
	return -1
}

// Get returns the value of the first field named name, or "". It also
// makes a *Header a routetree.Headers.
func (h *Header) Get(name string) string {
	if i := h.Index(name, 0); i >= 0 {
		return h.fields[i].Value
	}
	return ""
}

// Has reports whether a field named name is present.
func (h *Header) Has(name string) bool { return h.Index(name, 0) >= 0 }

// Count is the number of fields named name.
func (h *Header) Count(name string) int {
	n := 0
	for i := h.Index(name, 0); i >= 0; i = h.Index(name, i+1) {
		n++
	}
	return n
}

// Add appends a field.
func (h *Header) Add(name, value string) {
	h.fields = append(h.fields, Field{Name: name, Value: value})
}

// Set makes value the only value of name: the first field of that name
// keeps its place with the new value, later ones are removed; without one,
// the field is appended.
func (h *Header) Set(name, value string) {
	i := h.Index(name, 0)
	if i < 0 {
		h.Add(name, value)
		return
	}
	h.fields[i].Value = value
	h.delFrom(name, i+1)
}

// Del removes every field named name.
func (h *Header) Del(name string) { h.delFrom(name, 0) }

func (h *Header) delFrom(name string, from int) {
	out := from
	for i := from; i < len(h.fields); i++ {
		if !httpsyntax.EqualFoldBoth(h.fields[i].Name, name) {
			h.fields[out] = h.fields[i]
			out++
		}
	}
	clear(h.fields[out:])
	h.fields = h.fields[:out]
}

// DelAt removes the i-th field.
func (h *Header) DelAt(i int) {
	copy(h.fields[i:], h.fields[i+1:])
	h.fields[len(h.fields)-1] = Field{}
	h.fields = h.fields[:len(h.fields)-1]
}

// Reset empties the list and keeps its backing array. The fields are
// cleared so that the array holds no pointer into a buffer that moves on.
func (h *Header) Reset() {
	clear(h.fields)
	h.fields = h.fields[:0]
}

// CopyFrom makes h a copy of src's fields (sharing their strings).
func (h *Header) CopyFrom(src *Header) {
	h.Reset()
	h.fields = append(h.fields, src.fields...)
}
