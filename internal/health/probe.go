package health

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Check is one readiness condition; it returns nil when met, or an error
// saying what is missing.
type Check struct {
	Name string
	Fn   func(context.Context) error
}

// Options pace the checks.
type Options struct {
	// Every is the time between two rounds (default 5s).
	Every time.Duration
	// Timeout bounds each check (default 5s).
	Timeout time.Duration
	// Stall is how long without a finished round before liveness fails
	// (default 2 minutes).
	Stall time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Every <= 0 {
		o.Every = 5 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Stall <= 0 {
		o.Stall = 2 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Probe holds the checks and their last results. Checks added after Run
// starts are part of the next round; until a check has passed once it
// counts as failing ("not checked yet").
type Probe struct {
	opts    Options
	started time.Time

	mu      sync.Mutex
	checks  []Check
	results map[string]error
	lastRun time.Time
}

// New returns a Probe with no checks.
func New(o Options) *Probe {
	o = o.withDefaults()
	return &Probe{opts: o, started: o.Now(), results: map[string]error{}}
}

// Add registers a check.
func (p *Probe) Add(name string, fn func(context.Context) error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.checks = append(p.checks, Check{Name: name, Fn: fn})
	p.results[name] = fmt.Errorf("not checked yet")
}

// Run checks every Options.Every until ctx ends.
func (p *Probe) Run(ctx context.Context) {
	t := time.NewTicker(p.opts.Every)
	defer t.Stop()
	for {
		p.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round runs every check once, each bounded by Options.Timeout.
func (p *Probe) Round(ctx context.Context) {
	p.mu.Lock()
	checks := append([]Check(nil), p.checks...)
	p.mu.Unlock()
	results := make(map[string]error, len(checks))
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
		results[c.Name] = c.Fn(cctx)
		cancel()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, err := range results {
		p.results[name] = err
	}
	p.lastRun = p.opts.Now()
}

// Ready returns nil when every check passed in its last run, or an error
// listing those that did not.
func (p *Probe) Ready() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var failing []string
	for name, err := range p.results {
		if err != nil {
			failing = append(failing, name+": "+err.Error())
		}
	}
	if len(failing) == 0 {
		return nil
	}
	sort.Strings(failing)
	return fmt.Errorf("not ready: %s", strings.Join(failing, "; "))
}

// Live returns nil while rounds keep finishing: within Stall of the last
// round (or of the start, before the first).
func (p *Probe) Live() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	last := p.lastRun
	if last.IsZero() {
		last = p.started
	}
	if since := p.opts.Now().Sub(last); since > p.opts.Stall {
		return fmt.Errorf("no round of readiness checks finished for %s: the process is stuck", since.Round(time.Second))
	}
	return nil
}

// Status is every check's last result, sorted by name, for /readyz?verbose.
func (p *Probe) Status() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.results))
	for name, err := range p.results {
		if err != nil {
			out = append(out, fmt.Sprintf("[-] %s: %v", name, err))
		} else {
			out = append(out, fmt.Sprintf("[+] %s ok", name))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][4:] < out[j][4:] })
	return out
}
