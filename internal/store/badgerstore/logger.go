package badgerstore

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// logger adapts Badger's printf-style logger to slog. Badger's info and
// debug chatter (compactions, value log replays) is dropped.
type logger struct{ l *slog.Logger }

func newLogger(l *slog.Logger) logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return logger{l: l.With("component", "badger")}
}

func (b logger) Errorf(f string, a ...any)   { b.log(slog.LevelError, f, a) }
func (b logger) Warningf(f string, a ...any) { b.log(slog.LevelWarn, f, a) }
func (b logger) Infof(string, ...any)        {}
func (b logger) Debugf(string, ...any)       {}

func (b logger) log(level slog.Level, f string, a []any) {
	b.l.Log(context.Background(), level, strings.TrimSpace(fmt.Sprintf(f, a...)))
}
