package advice

import (
	"bytes"
	"encoding/json"
	"fmt"

	yamlv2 "go.yaml.in/yaml/v2"
)

// marshalYAML renders an API object as sigs.k8s.io/yaml.Marshal does
// (its JSON form, keys sorted, as block YAML) without sending the JSON
// through a YAML parser on the way, which was most of the mutating
// webhook's time.
func marshalYAML(v any) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode as JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	out, err := yamlv2.Marshal(numbers(tree))
	if err != nil {
		return nil, fmt.Errorf("encode as YAML: %w", err)
	}
	return out, nil
}

// numbers turns JSON numbers into int64 or float64, as YAML writes them.
func numbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = numbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = numbers(e)
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}
