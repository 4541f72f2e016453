// Package useragent sorts a User-Agent header into one Class, for routing on it
// (ua_filter), and compiles ua_filter values into Filters.
//
// A User-Agent falls into exactly one class, tried in this order:
//
//  1. LLM: it names an AI crawler or agent from the ai.robots.txt list. Tokens match
//     ASCII case-insensitively and only on token boundaries: the bytes either side of
//     the match must not be ASCII letters or digits, so "GPTBot/1.1" and
//     "compatible; ClaudeBot/1.0" match, while the list's generic words do not match
//     inside other words ("Code" is not in "Xcode" or "Codex"). "Spider" is left out
//     altogether: as a word of its own it still names ordinary search crawlers.
//  2. Bot: it is empty, or matches a pattern of the crawler-user-agents list
//     (crawlers, monitors, HTTP libraries such as curl, Wget, python-requests and
//     Go-http-client) or Java's HTTP client, which the list lacks. Patterns match
//     case-insensitively, although the list's own matcher is case-sensitive, so that
//     a crawler is not missed for changing the case of its name.
//  3. Chromium, Firefox or Safari, by rama-ua's rules: case-insensitive substring
//     tests on the first 512 bytes, "Firefox" winning over "Chrom" winning over
//     "Safari", within which FxiOS is Firefox and CriOS and Opera are Chromium.
//  4. Unknown.
//
// So GPTBot, which crawler-user-agents also lists, is LLM, and Googlebot, whose
// User-Agent also says Chrome and Safari, is Bot.
//
// Only the first 1 KiB of a User-Agent is looked at, which bounds the cost of a
// hostile one. Case-insensitive means ASCII case: a name spelled with a Kelvin sign for
// k or a long s for s, which Go's (?i) would accept, may go unrecognised.
//
// Both lists are embedded; README.md gives their sources, snapshots and licences.
// They are decoded and compiled into a single automaton on the first call to
// Classify, which takes about 20 ms on a small server and keeps about 3 MB; after that
// Classify makes one pass over the User-Agent and does not allocate.
package useragent
