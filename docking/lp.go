package docking

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Pair is one name/value pair of a Hail's params or a Reply's headers.
// Either may hold any bytes; the protocol does not require UTF-8.
type Pair struct {
	Name, Value []byte
}

// pairLen is the encoded length of a pair: both lengths and both strings.
func (p Pair) pairLen() int { return 8 + len(p.Name) + len(p.Value) }

// appendLP appends b as lp: its u32 big-endian length, then its bytes.
func appendLP(dst, b []byte) []byte {
	return append(binary.BigEndian.AppendUint32(dst, uint32(len(b))), b...)
}

// appendLPString is appendLP for a string, so that callers holding strings
// need not convert them.
func appendLPString(dst []byte, s string) []byte {
	return append(binary.BigEndian.AppendUint32(dst, uint32(len(s))), s...)
}

// cursor reads a payload front to back, checking every length against what
// is left before it slices, so that no input can make it read out of bounds.
type cursor struct {
	t     Type
	p     []byte
	err   error
	pairs string // while reading pairs, what they are ("param"), for errors
	pair  uint32 // and which one is being read
}

func (c *cursor) need(n int, what string) bool {
	if c.err != nil {
		return false
	}
	if len(c.p) < n {
		c.err = malformed(c.t, "%s needs %d bytes, %d left", c.name(what), n, len(c.p))
		return false
	}
	return true
}

// name names a field for an error, with the pair it belongs to if any.
func (c *cursor) name(what string) string {
	if c.pairs == "" {
		return what
	}
	return fmt.Sprintf("%s %d %s", c.pairs, c.pair, what)
}

func (c *cursor) u8(what string) uint8 {
	if !c.need(1, what) {
		return 0
	}
	v := c.p[0]
	c.p = c.p[1:]
	return v
}

func (c *cursor) u16(what string) uint16 {
	if !c.need(2, what) {
		return 0
	}
	v := binary.BigEndian.Uint16(c.p)
	c.p = c.p[2:]
	return v
}

func (c *cursor) u32(what string) uint32 {
	if !c.need(4, what) {
		return 0
	}
	v := binary.BigEndian.Uint32(c.p)
	c.p = c.p[4:]
	return v
}

func (c *cursor) u64(what string) uint64 {
	if !c.need(8, what) {
		return 0
	}
	v := binary.BigEndian.Uint64(c.p)
	c.p = c.p[8:]
	return v
}

// lp reads a length-prefixed string; the result aliases the payload.
func (c *cursor) lp(what string) []byte {
	n := c.u32(what)
	if c.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(c.p)) {
		c.err = malformed(c.t, "%s of %d bytes runs past the end, %d left", c.name(what), n, len(c.p))
		return nil
	}
	v := c.p[:n:n]
	c.p = c.p[n:]
	return v
}

// readPairs reads count pairs into dst[:0]; what names them in errors
// ("param"). The count is checked against the bytes left first, so that a
// forged count cannot make it allocate. Pairs are the bulk of a head, so
// they are cut without the per-field checks of the cursor, which is only
// asked again to word the error when a pair does not fit.
func (c *cursor) readPairs(dst []Pair, count uint32, what string) []Pair {
	dst = dst[:0]
	if c.err != nil {
		return dst
	}
	if uint64(count) > uint64(len(c.p))/8 {
		c.err = malformed(c.t, "%d %ss cannot fit in %d bytes", count, what, len(c.p))
		return dst
	}
	dst = slices.Grow(dst, int(count))[:count]
	for i := range dst {
		name, rest, ok := cutLP(c.p)
		value, rest, ok2 := cutLP(rest)
		if !ok || !ok2 {
			c.pairs, c.pair = what, uint32(i)
			c.lp("name")
			c.lp("value")
			return dst[:i]
		}
		dst[i] = Pair{Name: name, Value: value}
		c.p = rest
	}
	return dst
}

// cutLP cuts a length-prefixed string off the front of p.
func cutLP(p []byte) (v, rest []byte, ok bool) {
	if len(p) < 4 {
		return nil, p, false
	}
	n := binary.BigEndian.Uint32(p)
	if uint64(n) > uint64(len(p)-4) {
		return nil, p, false
	}
	end := 4 + int(n)
	return p[4:end:end], p[end:], true
}

// end reports the error met so far, or one for bytes left over.
func (c *cursor) end() error {
	if c.err == nil && len(c.p) > 0 {
		c.err = malformed(c.t, "%d bytes after the end", len(c.p))
	}
	return c.err
}
