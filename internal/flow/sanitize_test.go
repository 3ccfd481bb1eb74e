package flow

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	utilnet "k8s.io/apimachinery/pkg/util/net"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
		max            int
	}{
		{name: "plain name unchanged", in: "java", want: "java", max: MaxProcessLen},
		{name: "spaces and punctuation kept", in: `x); fix: kubectl "delete"`, want: `x); fix: kubectl "delete"`, max: MaxProcessLen},
		{name: "non-ASCII printable kept", in: "café-сервер", want: "café-сервер", max: MaxProcessLen},
		{name: "bell and escape", in: "a\x07b\x1b[2J", want: `a\x07b\x1b[2J`, max: MaxProcessLen},
		{name: "newline, tab, CR escaped too", in: "a\nb\tc\r", want: `a\x0ab\x09c\x0d`, max: MaxProcessLen},
		{name: "NUL and DEL", in: "\x00\x7f", want: `\x00\x7f`, max: MaxProcessLen},
		{name: "C1 control", in: "a\u0085b", want: `a\x85b`, max: MaxProcessLen},
		{name: "right-to-left override", in: "ab\u202ecd", want: `ab\u202ecd`, max: MaxProcessLen},
		{name: "zero-width space and line separator", in: "a\u200bb\u2028", want: `a\u200bb\u2028`, max: MaxProcessLen},
		{name: "no-break space", in: "a\u00a0b", want: `a\xa0b`, max: MaxProcessLen},
		{name: "private use plane", in: "\U000f0000", want: `\U000f0000`, max: MaxProcessLen},
		{name: "invalid UTF-8 bytes", in: "a\xff\xc3", want: `a\xff\xc3`, max: MaxProcessLen},
		{name: "bounded", in: strings.Repeat("x", 100), want: strings.Repeat("x", 9) + "…", max: 10},
		{name: "bounded after escaping", in: strings.Repeat("\x01", 5), want: `\x01\x01…`, max: 9},
		{name: "no bound", in: strings.Repeat("y", 500), want: strings.Repeat("y", 500), max: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in, tt.max); got != tt.want {
				t.Errorf("Sanitize(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestSanitizeProcessBoundsForgedNames(t *testing.T) {
	got := SanitizeProcess(strings.Repeat("\x1b", 1000))
	if n := utf8.RuneCountInString(got); n != MaxProcessLen {
		t.Errorf("sanitized name has %d runes, want %d", n, MaxProcessLen)
	}
}

// FuzzSanitize: whatever a node sends, the result is printable, bounded,
// accepted by the API server's warning header encoder, and sanitizing it
// again changes nothing.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"java", "a\x07b", "\u202e", "\xff", strings.Repeat("\x00", 40), "é\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SanitizeProcess(in)
		if n := utf8.RuneCountInString(got); n > MaxProcessLen {
			t.Fatalf("%q: %d runes", got, n)
		}
		for _, r := range got {
			if !unicode.IsPrint(r) {
				t.Fatalf("%q keeps unprintable %U", got, r)
			}
		}
		if _, err := utilnet.NewWarningHeader(299, "-", "by "+got); err != nil {
			t.Fatalf("API server would drop a warning holding %q: %v", got, err)
		}
		if again := SanitizeProcess(got); again != got {
			t.Fatalf("not idempotent: %q then %q", got, again)
		}
	})
}
