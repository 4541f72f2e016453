package h1

import "github.com/mothership-go/mothership/internal/httpsyntax"

// maxChunkSize bounds a chunk: sixteen hex digits could overflow int64.
const maxChunkSize = 1 << 62

// The decoder's states, one per place in the chunked grammar (RFC 9112 §7.1).
const (
	stSizeFirst    uint8 = iota // the first hex digit of a size
	stSize                      // more hex digits
	stExtBWS                    // whitespace after the size or an extension
	stExtName                   // an extension's name
	stExtNameBWS                // whitespace after the name
	stExtValFirst               // after `=`: whitespace, a token or a quote
	stExtVal                    // a token value
	stExtQuoted                 // a quoted value
	stExtEscape                 // after a backslash in it
	stSizeLF                    // after the CR of the size line
	stData                      // chunk data
	stDataCR                    // the CR after data
	stDataLF                    // its LF
	stTrailerStart              // the start of a trailer line, or the final CRLF
	stTrailerName               // a trailer field's name
	stTrailerValue              // its value
	stTrailerLF                 // the LF of a trailer line
	stFinalLF                   // the LF of the final empty line
	stDone
)

// Chunked decodes a chunked body incrementally, from whatever bytes
// arrive. The zero value is ready.
type Chunked struct {
	state  uint8
	digits int
	size   int64 // of the chunk being read; what is left of it in stData
	last   bool  // the size was 0: trailers follow
}

// Reset readies c for another body.
func (c *Chunked) Reset() { *c = Chunked{} }

// Decode consumes bytes of in. It returns how many it consumed; data, the
// body bytes among them (a subslice of in, possibly empty); done once the
// last chunk and the trailer section are read; or an *Error (400). A
// caller delivers data and calls again with the rest of in, reading more
// when all of it was consumed; the trailers are checked and dropped.
func (c *Chunked) Decode(in []byte) (consumed int, data []byte, done bool, err error) {
	i := 0
	for i < len(in) {
		if c.state == stData {
			n := int64(len(in) - i)
			if n > c.size {
				n = c.size
			}
			c.size -= n
			if c.size == 0 {
				c.state = stDataCR
			}
			return i + int(n), in[i : i+int(n)], false, nil
		}
		if err := c.step(in[i]); err != nil {
			return 0, nil, false, err
		}
		i++
		if c.state == stDone {
			return i, nil, true, nil
		}
	}
	return i, nil, false, nil
}

// step takes one byte of the grammar outside chunk data.
func (c *Chunked) step(b byte) error {
	switch c.state {
	case stSizeFirst, stSize:
		if d := httpsyntax.HexDigit(b); d >= 0 {
			c.digits++
			if c.digits > 16 || c.size > maxChunkSize>>4 {
				return errChunkSize
			}
			c.size = c.size<<4 | int64(d)
			c.state = stSize
			return nil
		}
		if c.state == stSizeFirst {
			return errChunkSize
		}
		return c.afterSize(b)
	case stExtBWS, stExtName, stExtNameBWS, stExtValFirst, stExtVal, stExtQuoted, stExtEscape:
		return c.ext(b)
	case stSizeLF:
		if b != '\n' {
			return errChunkSize
		}
		c.last = c.size == 0
		c.state = stData
		if c.last {
			c.state = stTrailerStart
		}
	case stDataCR:
		if b != '\r' {
			return errChunkEnd
		}
		c.state = stDataLF
	case stDataLF:
		if b != '\n' {
			return errChunkEnd
		}
		c.state, c.size, c.digits = stSizeFirst, 0, 0
	default:
		return c.trailer(b)
	}
	return nil
}

// afterSize handles the byte after a size's digits: what may follow an
// extension's value, but whitespace, which RFC 9112 allows (BWS) and
// net/http refuses: ours is never the looser.
func (c *Chunked) afterSize(b byte) error {
	if b == ' ' || b == '\t' {
		return errChunkSize
	}
	if err := c.afterExtValue(b); err != nil {
		return errChunkSize
	}
	return nil
}

// ext walks chunk extensions: BWS ; BWS name [ BWS = BWS value ].
func (c *Chunked) ext(b byte) error {
	switch c.state {
	case stExtBWS:
		switch b {
		case ' ', '\t':
		case ';':
			c.state, c.digits = stExtName, -1
		case '\r':
			c.state = stSizeLF
		default:
			return errChunkExt
		}
	case stExtName:
		switch {
		case httpsyntax.IsTokenChar(b):
			c.digits = 0 // a name has begun
		case c.digits < 0 && (b == ' ' || b == '\t'):
		case c.digits == 0 && (b == ' ' || b == '\t'):
			c.state = stExtNameBWS
		case c.digits == 0 && b == '=':
			c.state = stExtValFirst
		case c.digits == 0 && b == ';':
			c.digits = -1
		case c.digits == 0 && b == '\r':
			c.state = stSizeLF
		default:
			return errChunkExt
		}
	case stExtNameBWS:
		switch b {
		case ' ', '\t':
		case '=':
			c.state = stExtValFirst
		case ';':
			c.state, c.digits = stExtName, -1
		case '\r':
			c.state = stSizeLF
		default:
			return errChunkExt
		}
	case stExtValFirst:
		switch {
		case b == ' ' || b == '\t':
		case b == '"':
			c.state = stExtQuoted
		case httpsyntax.IsTokenChar(b):
			c.state = stExtVal
		default:
			return errChunkExt
		}
	case stExtVal:
		switch {
		case httpsyntax.IsTokenChar(b):
		default:
			return c.afterExtValue(b)
		}
	case stExtQuoted:
		switch {
		case b == '"':
			c.state = stExtBWS
		case b == '\\':
			c.state = stExtEscape
		case b == '\t' || b >= 0x20 && b != 0x7f:
		default:
			return errChunkExt
		}
	case stExtEscape:
		if b != '\t' && (b < 0x20 || b == 0x7f) {
			return errChunkExt
		}
		c.state = stExtQuoted
	}
	return nil
}

func (c *Chunked) afterExtValue(b byte) error {
	switch b {
	case ' ', '\t':
		c.state = stExtBWS
	case ';':
		c.state, c.digits = stExtName, -1
	case '\r':
		c.state = stSizeLF
	default:
		return errChunkExt
	}
	return nil
}

// trailer walks the trailer section: field lines, then an empty line.
func (c *Chunked) trailer(b byte) error {
	switch c.state {
	case stTrailerStart:
		switch {
		case b == '\r':
			c.state = stFinalLF
		case httpsyntax.IsTokenChar(b):
			c.state = stTrailerName
		default:
			return errTrailer
		}
	case stTrailerName:
		switch {
		case b == ':':
			c.state = stTrailerValue
		case !httpsyntax.IsTokenChar(b):
			return errTrailer
		}
	case stTrailerValue:
		switch {
		case b == '\r':
			c.state = stTrailerLF
		case b != '\t' && (b < 0x20 || b == 0x7f):
			return errTrailer
		}
	case stTrailerLF:
		if b != '\n' {
			return errTrailer
		}
		c.state = stTrailerStart
	case stFinalLF:
		if b != '\n' {
			return errTrailer
		}
		c.state = stDone
	default:
		return errTrailer
	}
	return nil
}

// AppendChunkSize appends a chunk-size line: n in hex and CRLF.
func AppendChunkSize(dst []byte, n int) []byte {
	const hex = "0123456789abcdef"
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = hex[n&0xf]
		n >>= 4
		if n == 0 {
			break
		}
	}
	dst = append(dst, b[i:]...)
	return append(dst, '\r', '\n')
}
