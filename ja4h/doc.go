// Package ja4h computes the JA4H HTTP client fingerprint of a request from
// its method, version and header list in wire order and case: the part of
// the shields that knows the algorithm, as useragent/ knows the classes.
//
// JA4H is licensed under the FoxIO License 1.1 (see NOTICE): this package
// implements the JA4H fingerprint of FoxIO, LLC (Patent Pending).
//
// Choices where implementations differ (see the shields spec): an unknown
// method gives its first two characters, lowercased, with characters other
// than [a-z0-9] and a missing second one as `0` (Rama); the language is the
// first item of the first Accept-Language, cut at `;`, letters only,
// lowercased, 4 chars padded with `0` (Rama); cookies are split on `;`,
// trimmed, empty ones skipped, and sorted by name and then value; an empty
// list (no headers left, no cookies) hashes to 000000000000.
//
// A build with `-tags noja4h` leaves the algorithm out (noja4h.go): for a
// product that may not use it under its licence.
package ja4h
