package uplink

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable writes the results as aligned columns: name, target, result
// ("ok" or the reason it failed) and the time the check took ("shared" for a
// result that reports another uplink's check, "-" when none ran). It writes
// nothing for no results.
func WriteTable(w io.Writer, rs []Result) {
	if len(rs) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "UPLINK\tTARGET\tRESULT\tTIME")
	for _, r := range rs {
		result := "ok"
		if r.Err != nil {
			result = oneLine(r.Err.Error())
		}
		took := roundTook(r.Took).String()
		switch {
		case r.Shared:
			took = "shared"
		case r.Took == 0:
			took = "-" // the URL was wrong, nothing ran
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, cmp.Or(r.Target, "-"), result, took)
	}
	_ = tw.Flush()
}

// oneLine keeps a multi-line reason (a TLS chain, say) from breaking the columns.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// roundTook keeps about three significant figures, since a local check takes
// microseconds and a timeout seconds.
func roundTook(d time.Duration) time.Duration {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond)
	case d < time.Second:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(10 * time.Millisecond)
}
