package useragent

// maxScanLen bounds the work per User-Agent. Real ones are a few hundred bytes at most;
// anything that hides its name further in gets classified on what comes before.
const maxScanLen = 1024

// Classify returns the class of the User-Agent ua, trying the classes in the order the
// package documentation gives. It looks at the first 1 KiB of ua only, and does not
// allocate. A request without a User-Agent header is classified by passing "".
func Classify(ua string) Class {
	if ua == "" {
		return Bot
	}
	if len(ua) > maxScanLen {
		ua = ua[:maxScanLen]
	}
	c, words := loadMatcher().match(ua)
	if c != Unknown {
		return c
	}
	return browserKind(words)
}
