// Package badgerlog adapts Badger's printf-style logger to slog for the
// store packages. Badger's info and debug chatter (compactions, value-log
// replays) is dropped; warnings and errors go to the slog logger.
package badgerlog

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// New returns a Badger logger writing to l (nil discards everything).
func New(l *slog.Logger) badger.Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return logger{l: l.With("component", "badger")}
}

type logger struct{ l *slog.Logger }

func (b logger) Errorf(f string, a ...any)   { b.log(slog.LevelError, f, a) }
func (b logger) Warningf(f string, a ...any) { b.log(slog.LevelWarn, f, a) }
func (b logger) Infof(string, ...any)        {}
func (b logger) Debugf(string, ...any)       {}

func (b logger) log(level slog.Level, f string, a []any) {
	b.l.Log(context.Background(), level, strings.TrimSpace(fmt.Sprintf(f, a...)))
}
