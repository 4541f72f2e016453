package useragent

import (
	"strings"
	"testing"
)

func benchmarkClassify(b *testing.B, ua string) {
	loadMatcher() // keep the one-off build out of the timing
	b.ReportAllocs()
	for b.Loop() {
		Classify(ua)
	}
}

func BenchmarkClassifyChrome(b *testing.B)    { benchmarkClassify(b, chromeWindows) }
func BenchmarkClassifyGPTBot(b *testing.B)    { benchmarkClassify(b, gptBot) }
func BenchmarkClassifyGooglebot(b *testing.B) { benchmarkClassify(b, googlebotSmartphone) }

// BenchmarkClassifyLongUnknown is the worst case: 4 KiB of text that no list knows,
// of which the scan limit keeps 1 KiB.
func BenchmarkClassifyLongUnknown(b *testing.B) {
	benchmarkClassify(b, strings.Repeat("Mozilla/5.0 (X11; Unknown) Unknown/1.0 ", 100))
}

func BenchmarkNewMatcher(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := newMatcher(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilterMatch(b *testing.B) {
	f, err := ParseFilter("browser")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		f.Match(chromeWindows, Chromium)
	}
}
