package main

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
)

// The WebSocket opcodes of RFC 6455 §5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// The close codes bayd sends when a client breaks the framing rules.
const (
	closeProtocolError = 1002
	closeTooBig        = 1009
)

// maxMessage is the largest frame payload the tunnel echo accepts.
const maxMessage = 1 << 20

// wsGUID is the constant RFC 6455 §1.3 appends to the client's key.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptKey is the Sec-WebSocket-Accept answering a Sec-WebSocket-Key.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// wsFrame is one frame from a client, its payload unmasked.
type wsFrame struct {
	fin     bool
	opcode  byte
	payload []byte
}

// badFrame is why a client frame breaks RFC 6455, with the close code to
// answer it with.
type badFrame struct {
	code   uint16
	reason string
}

// parseClientFrame parses the frame at the front of p, unmasking its
// payload in place. It returns n = 0 when p does not hold a whole frame
// yet, and bad when the frame breaks the rules.
func parseClientFrame(p []byte) (f wsFrame, n int, bad *badFrame) {
	if len(p) < 2 {
		return f, 0, nil
	}
	f.fin, f.opcode = p[0]&0x80 != 0, p[0]&0x0f
	masked, size, head := p[1]&0x80 != 0, uint64(p[1]&0x7f), 2
	switch {
	case p[0]&0x70 != 0:
		return f, 0, &badFrame{closeProtocolError, "reserved bits set, no extension was agreed"}
	case !masked:
		return f, 0, &badFrame{closeProtocolError, "client frames must be masked"}
	case f.opcode >= opClose && (!f.fin || size > 125):
		return f, 0, &badFrame{closeProtocolError, "control frames are single and at most 125 bytes"}
	case f.opcode > opBinary && f.opcode < opClose || f.opcode > opPong:
		return f, 0, &badFrame{closeProtocolError, "unknown opcode"}
	}
	switch size {
	case 126:
		if len(p) < 4 {
			return f, 0, nil
		}
		size, head = uint64(binary.BigEndian.Uint16(p[2:])), 4
	case 127:
		if len(p) < 10 {
			return f, 0, nil
		}
		size, head = binary.BigEndian.Uint64(p[2:]), 10
	}
	if size > maxMessage {
		return f, 0, &badFrame{closeTooBig, "frame over the echo's limit"}
	}
	end := head + 4 + int(size)
	if len(p) < end {
		return f, 0, nil
	}
	mask := p[head : head+4]
	f.payload = p[head+4 : end]
	for i := range f.payload {
		f.payload[i] ^= mask[i&3]
	}
	return f, end, nil
}

// appendServerFrame appends an unmasked frame, as a server sends them.
func appendServerFrame(dst []byte, fin bool, opcode byte, payload []byte) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	switch n := len(payload); {
	case n <= 125:
		dst = append(dst, b0, byte(n))
	case n <= 0xffff:
		dst = binary.BigEndian.AppendUint16(append(dst, b0, 126), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint64(append(dst, b0, 127), uint64(n))
	}
	return append(dst, payload...)
}

// closePayload is the payload of a close frame with code and reason.
func closePayload(code uint16, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, code), reason...)
}
