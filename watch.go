package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchDebounce is how long the manifest must be quiet after a change
// before --watch reloads: an editor's save is several writes, or a write
// and a rename.
const watchDebounce = 300 * time.Millisecond

// watchManifest reloads once the manifest file stops changing, until ctx
// ends. It watches the directory, not the file: editors save by writing a
// new file and renaming it over the old one, which a watch on the file
// itself would lose.
func (v *voyage) watchManifest(ctx context.Context, file string) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("--watch: %w", err)
	}
	if err := w.Add(filepath.Dir(file)); err != nil {
		w.Close()
		return fmt.Errorf("--watch: %w", err)
	}
	go func() {
		defer w.Close()
		quiet := time.NewTimer(time.Hour)
		quiet.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-w.Events:
				if filepath.Clean(ev.Name) == file && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
					quiet.Reset(watchDebounce)
				}
			case err := <-w.Errors:
				v.log.Warn("--watch: watching the manifest", "error", err.Error())
			case <-quiet.C:
				v.log.Info("the manifest changed: reloading", "manifest", file)
				v.reload(ctx) // it logs its outcome
			}
		}
	}()
	return nil
}
