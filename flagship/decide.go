package flagship

import (
	"errors"
	"fmt"
)

// verdict is what one look at the lock and the record means.
type verdict int

const (
	undecided verdict = iota // the look failed
	wait                     // a flagship is at work
	lead                     // this mothership took the lock and is the flagship
	proceed                  // the deploy's prelaunch succeeded
	abort                    // the deploy's prelaunch failed, or the flagship vanished
)

// record is a row of mothership_flagship; its zero value is no row.
type record struct {
	state, detail, deploy string
}

// decide reads one look: rec as it was once got told whether this mothership
// had just taken the lock, first whether it had never looked before. While
// someone else holds the lock the record is theirs (see the package doc).
// A waiting escort that gets the lock has outlived the flagship, which left
// an outcome or vanished; a first look that gets it starts a new flagship,
// unless the record says this very deploy already succeeded.
func decide(rec record, got, first bool, deploy string) (verdict, error) {
	mine := rec.state != "" && rec.deploy == deploy
	switch {
	case !got && (!mine || rec.state == running):
		return wait, nil // the holder is at work, for this deploy or another one
	case !mine:
		return lead, nil
	case rec.state == succeeded && (!got || !first || deploy != ""):
		return proceed, nil
	case got && first:
		return lead, nil // a retry of a failed deploy, a takeover, or a deploy without a name
	case rec.state == failed:
		return abort, fmt.Errorf("flagship: the flagship's prelaunch failed: %s", rec.detail)
	}
	return abort, errors.New("flagship: the flagship vanished during prelaunch (its database session ended without an outcome); aborting")
}
