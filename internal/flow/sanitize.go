package flow

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxProcessLen bounds a process name, in runes. The kernel's comm is at
// most 15 bytes (TASK_COMM_LEN 16, include/linux/sched.h); a longer name
// came from something other than a kernel, and its escaped form may be up
// to 10 runes per byte it was made of.
const MaxProcessLen = 64

// SanitizeProcess makes a process name reported by a node safe to show:
// every rune that is not printable is escaped and the result is at most
// MaxProcessLen runes. Apply it wherever a process name reaches a kubectl
// warning, an annotation, a metric label or an API response: the API
// server silently drops a whole warning that holds a control character
// (k8s.io/apimachinery/pkg/util/net.NewWarningHeader), so an unescaped
// name would let a pod hide the warning about its own traffic.
func SanitizeProcess(s string) string { return Sanitize(s, MaxProcessLen) }

// Sanitize makes any string that came from a node or a kernel safe to show
// to people and to carry in an HTTP header: invalid UTF-8 bytes become
// \xNN, runes that unicode.IsPrint rejects (controls, format characters
// such as U+202E RIGHT-TO-LEFT OVERRIDE, line and paragraph separators,
// every space but U+0020) become \xNN, \uNNNN or \UNNNNNNNN, and the result
// is cut to max runes (the last one then "…"; max < 1 means no bound).
//
// Sanitize is idempotent (its output is all printable and within max), so
// ingest and every consumer may each apply it. Backslashes are left as
// they are, which is what keeps it idempotent: the escaped form of a
// control character and the same text typed by hand look alike, and both
// are harmless.
func Sanitize(s string, max int) string {
	if printable(s) && (max < 1 || utf8.RuneCountInString(s) <= max) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return clip(b.String(), max)
}

// printable reports whether s is valid UTF-8 of printable runes only.
func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// clip cuts s to max runes, marking the cut with "…".
func clip(s string, max int) string {
	if max < 1 || utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}
