package useragent

// browserScanLen is where rama-ua stops looking, kept so that a long User-Agent lands
// in the browser class it would get there.
const browserScanLen = 512

// browserWords are the substrings rama-ua's rules (rama-ua/src/ua/parse.rs) test for,
// case-insensitively; word i is bit 1<<i of the set browserKind reads. The matcher
// looks for them in the same pass as the lists, which saves three to six more scans of
// every browser's User-Agent.
var browserWords = [...]string{"firefox", "chrom", "safari", "fxios", "crios", "opera"}

const (
	wordFirefox = 1 << iota
	wordChrom
	wordSafari
	wordFxiOS
	wordCriOS
	wordOpera
)

// browserKind applies rama-ua's rules to the set of browserWords found: Firefox, then
// Chrom, then Safari, except that a Safari User-Agent that also says FxiOS, CriOS or
// Opera is Firefox or Chromium: on iOS every browser is WebKit and says Safari.
func browserKind(words uint8) Class {
	switch {
	case words&wordFirefox != 0:
		return Firefox
	case words&wordChrom != 0:
		return Chromium
	case words&wordSafari == 0:
		return Unknown
	case words&wordFxiOS != 0:
		return Firefox
	case words&(wordCriOS|wordOpera) != 0:
		return Chromium
	}
	return Safari
}
