package advice

import (
	"context"
	"runtime"
	"sync"

	"github.com/netpol-advisor/netpol-advisor/internal/flow"
)

type read struct {
	b     flow.Baseline
	found bool
}

// baselines reads the baselines of ws, one reader per CPU: a policy on a
// whole namespace touches tens of workloads, and the review's deadline is
// what the user waits for.
func (a *Advisor) baselines(ctx context.Context, ws []flow.WorkloadRef) ([]read, error) {
	out := make([]read, len(ws))
	errs := make([]error, len(ws))
	workers := min(len(ws), runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			for i := k; i < len(ws); i += workers {
				out[i].b, out[i].found, errs[i] = a.cachedBaseline(ctx, ws[i])
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
