package ja4h

// Len is the length of a JA4H fingerprint: a(12) _ b(12) _ c(12) _ d(12).
const Len = 51

// Fields is the header list a fingerprint is computed from, in wire order;
// *pipeline.Header is one.
type Fields interface {
	Len() int
	Name(i int) string
	Value(i int) string
}
