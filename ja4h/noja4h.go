//go:build noja4h

package ja4h

// Enabled is false in a build with `-tags noja4h`: no fingerprint is
// computed, X-JA4H is not sent, and a shield rule on a fingerprint is a
// manifest error.
const Enabled = false

// Fingerprinter computes nothing in this build.
type Fingerprinter struct{}

// Fingerprint returns nil: this build leaves JA4H out.
func (f *Fingerprinter) Fingerprint(method string, major, minor byte, h Fields) []byte { return nil }
