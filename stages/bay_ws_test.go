package stages

import (
	"strings"
	"testing"

	"github.com/gobwas/ws"
)

func TestCloseFrameFromABay(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	for _, tc := range []struct {
		name       string
		code       uint16
		reason     string
		wantCode   uint16
		wantReason string
	}{
		{"the bay's own code", 4000, "bye", 4000, "bye"},
		{"normal", 1000, "", 1000, ""},
		{"reserved 1005", 1005, "x", 1011, "x"},
		{"reserved 1006", 1006, "", 1011, ""},
		{"below 1000", 7, "", 1011, ""},
		{"past 4999", 5000, "", 1011, ""},
		{"a long reason", 4001, long, 4001, long[:122]},
	} {
		f := closeFrame(tc.code, tc.reason)
		code, reason := ws.ParseCloseFrameData(f.Payload)
		if uint16(code) != tc.wantCode || reason != tc.wantReason || len(f.Payload) > 125 {
			t.Errorf("%s: %d %q (%d bytes), want %d %q", tc.name, code, reason, len(f.Payload), tc.wantCode, tc.wantReason)
		}
	}
}
