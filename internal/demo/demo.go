package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Demo is one run: the cluster, the installed product and a Prometheus
// server, shared by the apps told one after the other.
type Demo struct {
	cfg  Config
	p    *printer
	prom *prometheus
	// cleanups run in reverse order at Close.
	cleanups []func(context.Context) error
}

// Run sets everything up, tells each app and tears down (unless
// cfg.Keep). A cancelled ctx (Ctrl-C) stops the current step; the teardown
// still runs, on a context of its own.
func Run(ctx context.Context, cfg Config) (results []*Result, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Demo{cfg: cfg, p: newPrinter(cfg.Out, cfg.Color)}
	defer func() {
		if err != nil && ctx.Err() != nil { // Ctrl-C: the step's own error is only a symptom
			err = fmt.Errorf("interrupted (%w) during: %s", ctx.Err(), firstLine(err.Error()))
		}
		err = errors.Join(err, d.close(err))
	}()
	if err := d.setup(ctx); err != nil {
		return nil, err
	}
	for _, dir := range cfg.Apps {
		s, err := LoadStory(dir)
		if err != nil {
			return results, err
		}
		r, err := d.tell(ctx, s)
		results = append(results, r)
		if err != nil {
			return results, fmt.Errorf("app %s: %w", s.Name, err)
		}
	}
	d.keepPlaying(results)
	return results, nil
}

// setup brings the cluster up (unless the caller did), installs the
// product with helm and starts Prometheus.
func (d *Demo) setup(ctx context.Context) error {
	if err := os.MkdirAll(d.cfg.OutDir, 0o755); err != nil {
		return fmt.Errorf("make the demo's folder: %w", err)
	}
	if !d.cfg.ClusterRunning {
		if err := d.clusterUp(ctx); err != nil {
			return err
		}
	}
	if err := d.install(ctx); err != nil {
		return err
	}
	return d.startPrometheus(ctx)
}

// clusterUp takes the machine-wide cluster lock (tests wait for it) and
// runs hack/cluster/up.sh; down.sh runs at the end.
func (d *Demo) clusterUp(ctx context.Context) error {
	unlock, err := Lock(d.cfg.ClusterDir)
	if err != nil {
		return err
	}
	d.onClose(func(context.Context) error { unlock(); return nil })
	d.onClose(func(ctx context.Context) error {
		if d.cfg.Keep {
			return nil
		}
		d.p.info("tearing down: hack/cluster/down.sh (the machine is left as it was)")
		_, err := d.script(ctx, "down.sh")
		return err
	})
	d.p.step("", "Bringing up the single-node cluster (kubelet, containerd, kube-router enforcing policies)")
	start := time.Now()
	if _, err := d.script(ctx, "up.sh"); err != nil {
		return fmt.Errorf("cluster up (see %s/logs): %w", d.cfg.ClusterDir, err)
	}
	d.p.info("cluster up in %s; kubeconfig %s", since(start), d.cfg.Kubeconfig())
	return nil
}

func (d *Demo) onClose(fn func(context.Context) error) { d.cleanups = append(d.cleanups, fn) }

// close runs the cleanups, newest first, on a fresh context: the run's own
// may be cancelled already (Ctrl-C).
func (d *Demo) close(runErr error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if runErr != nil {
		d.p.info("stopped: %v", firstLine(runErr.Error()))
	}
	var errs []error
	for i := len(d.cleanups) - 1; i >= 0; i-- {
		errs = append(errs, d.cleanups[i](ctx))
	}
	return errors.Join(errs...)
}

// Lock takes the machine-wide lock of the test cluster (one run folder and
// one bridge per machine), waiting while another run holds it.
func Lock(runDir string) (unlock func(), err error) {
	f, err := os.OpenFile(runDir+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open cluster lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("take cluster lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}
