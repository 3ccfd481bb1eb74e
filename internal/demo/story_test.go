package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Both shipped apps load and name workloads, hosts and expectations.
func TestShippedStoriesLoad(t *testing.T) {
	for _, app := range []string{"story", "ledger"} {
		s, err := LoadStory(filepath.Join("..", "..", "demo", "apps", app))
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != app || s.WorkloadName() == "" || len(s.ExternalHosts) == 0 || len(s.Expect.Warnings) == 0 {
			t.Errorf("%s: loaded %+v", app, s)
		}
		for _, still := range s.Expect.StillFailing {
			if !strings.Contains(strings.Join(s.Expect.Failing, " "), still) {
				t.Errorf("%s: stillFailing %s is not among failing", app, still)
			}
		}
	}
}

func TestLoadStoryRefusesWhatWouldBreakTheDemo(t *testing.T) {
	tests := []struct {
		name, story, want string
	}{
		{"address outside the /28", "address: 203.0.113.99", "must be one of 203.0.113.2-14"},
		{"the bridge's address", "address: 203.0.113.1", "must be one of 203.0.113.2-14"},
		{"a name too long for an interface", "name: external-payments", "1-11 characters"},
		{"a workload without a kind", "workload: web", "want KIND/NAME"},
		{"an unknown field", "colour: red", "unknown field"},
	}
	base := "title: t\nnamespace: ns\nworkload: deployment/web\npolicy: policy.yaml\n" +
		"externalHosts:\n- {name: api, address: 203.0.113.9, serve: [tcp:443]}\nexpect:\n  peers: [x]\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "manifests"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "policy.yaml"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			story := base
			key, _, _ := strings.Cut(tt.story, ":")
			if strings.Contains(base, key+":") && key != "colour" {
				story = replaceField(base, key, tt.story)
			} else {
				story += tt.story + "\n"
			}
			if err := os.WriteFile(filepath.Join(dir, "story.yaml"), []byte(story), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadStory(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadStory = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// replaceField swaps the first "key: value" of the story for repl.
func replaceField(story, key, repl string) string {
	i := strings.Index(story, key+": ")
	end := i + strings.IndexAny(story[i:], ",}\n")
	return story[:i] + repl + story[end:]
}
