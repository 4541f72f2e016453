package fleet

import "testing"

// TestParsePortRange: ip_local_port_range's "first last" gives the first
// port; anything else is not a range, and AssignPorts lets the kernel pick.
func TestParsePortRange(t *testing.T) {
	tests := []struct {
		name, in string
		want     int
		ok       bool
	}{
		{"default", "32768\t60999\n", 32768, true},
		{"spaces", "  1024 65535 ", 1024, true},
		{"one port", "40000 40000", 40000, true},
		{"empty", "", 0, false},
		{"one field", "32768\n", 0, false},
		{"three fields", "32768 60999 1", 0, false},
		{"not a number", "abc 60999", 0, false},
		{"last not a number", "32768 x", 0, false},
		{"zero", "0 60999", 0, false},
		{"negative", "-1 60999", 0, false},
		{"above 65535", "32768 70000", 0, false},
		{"last below first", "60999 32768", 0, false},
	}
	for _, tt := range tests {
		got, ok := parsePortRange(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: parsePortRange(%q) = %d, %v, want %d, %v", tt.name, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
