package useragent

import "strconv"

// Class is the one class a User-Agent falls into.
type Class uint8

// The classes. Where a User-Agent fits several, the package documentation says which
// one it gets.
const (
	// Unknown is a User-Agent that is none of the others.
	Unknown Class = iota
	// LLM is an AI crawler or agent: a token from the ai.robots.txt list.
	LLM
	// Bot is a crawler, monitor or HTTP library from the crawler-user-agents list, Java's
	// HTTP client, which the list lacks, or an empty User-Agent.
	Bot
	// Chromium is Chrome and the browsers built on it (Edge, Opera, Brave, Samsung
	// Internet), and Chrome on iOS (CriOS).
	Chromium
	// Firefox includes Firefox on iOS (FxiOS).
	Firefox
	// Safari is Safari on macOS and iOS, and iOS browsers that do not name themselves
	// in a way rama-ua knows (Edge's EdgiOS, for one).
	Safari
)

var classNames = [...]string{
	Unknown:  "unknown",
	LLM:      "llm",
	Bot:      "bot",
	Chromium: "chromium",
	Firefox:  "firefox",
	Safari:   "safari",
}

// String returns the class name as ua_filter spells it: "unknown", "llm", "bot",
// "chromium", "firefox" or "safari".
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// IsBrowser reports whether c is Chromium, Firefox or Safari.
func (c Class) IsBrowser() bool {
	return c == Chromium || c == Firefox || c == Safari
}
