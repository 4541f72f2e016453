// Package manifest reads a ship manifest into a typed, validated Manifest.
//
// Three dialects reach the same Manifest: the main form of the crate README
// (`[mothership]`, `[[fleet.<group>]]`, `[[bays.<type>]]`, `[[modules]]`,
// `[base.*]`), the blog's older form (`[config]`, `[[ships]]`, `[[bays]]`,
// `[[plugins]]`, `[flagship]`) read as aliases, and WarpDrive routing files
// (`[server]`, `[upstreams.NAME]`, `[[routes]]`) read by an adapter.
//
// Loading never stops at the first problem: every unknown key, bad value,
// dangling reference and cycle is reported at once, each with the file, the
// line and the key path (`fleet.web[1].routes[0].pattern`), because a user
// fixing a manifest wants the whole list, not one error per run.
package manifest
