package observer

import (
	"reflect"
	"slices"
	"testing"
)

// TestCountersListsEveryStat: each field of Stats appears in Counters once,
// so `observer flows` and anything else printing them shows every drop.
func TestCountersListsEveryStat(t *testing.T) {
	var s Stats
	v := reflect.ValueOf(&s).Elem()
	for i := range v.NumField() {
		v.Field(i).SetUint(uint64(i + 1))
	}
	var got []uint64
	for _, c := range s.Counters() {
		got = append(got, c.Value)
	}
	slices.Sort(got)
	want := make([]uint64, v.NumField())
	for i := range want {
		want[i] = uint64(i + 1)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Counters values %v, want each of the %d fields once: %v", got, v.NumField(), want)
	}
}
