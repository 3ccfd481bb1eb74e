package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/promapi"
)

// Result is what one app's run showed, for the end-to-end test to assert.
type Result struct {
	App string
	// Namespace and Workload are the story's, for the commands to try.
	Namespace, Workload string
	// PolicyFile is the hand-written policy.
	PolicyFile string
	// Peers are the baseline's flows once every expected peer was seen.
	Peers []string
	// SVG is the topology map's file.
	SVG string
	// Warnings are kubectl's Warning lines for the hand-written policy.
	Warnings []string
	// Failing maps each failing talk target to a log line showing it.
	Failing map[string]string
	// FailedFlows are the flows whose failed count rose under the policy.
	FailedFlows []string
	// Mismatch and FailedConnections are Prometheus' series while the
	// policy was applied; AlertFiring whether the alert fired for the workload.
	Mismatch, FailedConnections []promapi.Sample
	AlertFiring                 bool
	// FixWarnings are kubectl's Warning lines for the recommended policy.
	FixWarnings []string
	// Working maps each target that works again to a log line showing it;
	// StillFailing each deliberately dropped one that still fails.
	Working, StillFailing map[string]string
	AlertResolved         bool
	// Applied is the recommended policy applied; Annotation the workload's
	// recommended-policy annotation, equal to it in meaning.
	Applied, Annotation string
	AnnotationEqual     bool
}

// step is one part of an app's story.
type step struct {
	number, title string
	run           func(context.Context, *Story, *Result) error
}

// tell runs the story's steps for one app.
func (d *Demo) tell(ctx context.Context, s *Story) (*Result, error) {
	r := &Result{App: s.Name, Namespace: s.Namespace, Workload: s.Workload,
		PolicyFile: d.rel(filepath.Join(s.Dir, s.Policy))}
	d.p.step("", "The app: "+s.Title+" ("+d.rel(s.Dir)+")")
	steps := []step{
		{"", "Deploying the app and its external hosts", d.deploy},
		{"", "Waiting until the baseline holds every peer of " + s.Workload, d.waitPeers},
		{"1", "What " + s.Workload + " really talks to", d.showTopology},
		{"2", "The hand-written policy (" + s.Policy + ")", d.applyPolicy},
		{"3", "The fix: the user's adjustments, the recommended policy", d.fix},
		{"4", "The annotation on " + s.Workload, d.checkAnnotation},
	}
	for _, st := range steps {
		if st.number != "" && d.cfg.Pause != nil {
			d.cfg.Pause(st.number + ". " + st.title)
		}
		d.p.step(st.number, st.title)
		start := time.Now()
		if err := st.run(ctx, s, r); err != nil {
			return r, fmt.Errorf("%s: %w", st.title, err)
		}
		if st.number != "" {
			d.p.info("(%s)", since(start))
		}
	}
	return r, nil
}
