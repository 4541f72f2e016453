package telemetry

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIsTerminal(t *testing.T) {
	regular, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer devNull.Close()
	tests := []struct {
		name string
		f    *os.File
		want bool
	}{
		{"regular file", regular, false},
		{"character device", devNull, true},
		{"nil file", nil, false},
	}
	for _, tc := range tests {
		if got := IsTerminal(tc.f); got != tc.want {
			t.Errorf("%s: IsTerminal = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestColorFor(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer devNull.Close()
	tests := []struct {
		name, noColor, term string
		want                bool
	}{
		{"terminal", "", "xterm-256color", true},
		{"NO_COLOR set", "1", "xterm-256color", false},
		{"NO_COLOR empty counts as unset", "", "", true},
		{"dumb terminal", "", "dumb", false},
	}
	for _, tc := range tests {
		t.Setenv("NO_COLOR", tc.noColor)
		t.Setenv("TERM", tc.term)
		if got := ColorFor(devNull); got != tc.want {
			t.Errorf("%s: ColorFor = %v, want %v", tc.name, got, tc.want)
		}
	}
	if ColorFor(os.NewFile(^uintptr(0), "closed")) {
		t.Errorf("an invalid file: ColorFor = true")
	}
}
