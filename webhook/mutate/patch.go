package mutate

import (
	"slices"
	"strings"

	"gomodules.xyz/jsonpatch/v2"
)

// Patch returns the JSON patch operations that make the annotations named
// by keys equal to want (a key absent from want is removed), leaving every
// other annotation alone. Every operation's path is under
// /metadata/annotations.
func Patch(current, want map[string]string, keys []string) []jsonpatch.JsonPatchOperation {
	if current == nil {
		if len(want) == 0 {
			return nil
		}
		return []jsonpatch.JsonPatchOperation{{Operation: "add", Path: "/metadata/annotations", Value: want}}
	}
	var ops []jsonpatch.JsonPatchOperation
	for _, k := range slices.Sorted(slices.Values(keys)) {
		path := "/metadata/annotations/" + escape(k)
		old, had := current[k]
		v, wanted := want[k]
		switch {
		case wanted && !had:
			ops = append(ops, jsonpatch.JsonPatchOperation{Operation: "add", Path: path, Value: v})
		case wanted && old != v:
			ops = append(ops, jsonpatch.JsonPatchOperation{Operation: "replace", Path: path, Value: v})
		case !wanted && had:
			ops = append(ops, jsonpatch.JsonPatchOperation{Operation: "remove", Path: path})
		}
	}
	return ops
}

// escape escapes a map key as a JSON pointer token (RFC 6901).
func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
