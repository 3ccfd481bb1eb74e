package observer_test

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// churnServer accepts and closes connections on addr in pod until the test
// ends. The clients reset theirs (linger 0), which leaves no TIME_WAIT on
// either side, so churn can run for long.
func churnServer(tb testing.TB, pod *netns.Pod, addr netip.AddrPort) {
	tb.Helper()
	var ln net.Listener
	if err := pod.Run(func() (err error) { ln, err = net.Listen("tcp", addr.String()); return err }); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// churn connects from pod to dst with workers goroutines for d, cycling the
// source address through sources (nil: the pod's own), and returns how many
// connections were established.
func churn(tb testing.TB, pod *netns.Pod, dst netip.AddrPort, sources []netip.Addr, workers int, d time.Duration) uint64 {
	tb.Helper()
	var n atomic.Uint64
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := pod.Run(func() error { return connectLoop(dst, sources, w, workers, deadline, &n) })
			if err != nil {
				tb.Error(err)
			}
		}()
	}
	wg.Wait()
	return n.Load()
}

func connectLoop(dst netip.AddrPort, sources []netip.Addr, w, workers int, deadline time.Time, n *atomic.Uint64) error {
	d := net.Dialer{Timeout: time.Second}
	for i := w; time.Now().Before(deadline); i += workers {
		if len(sources) > 0 {
			d.LocalAddr = &net.TCPAddr{IP: sources[i%len(sources)].AsSlice()}
		}
		c, err := d.Dial("tcp", dst.String())
		if err != nil {
			return err
		}
		_ = c.(*net.TCPConn).SetLinger(0)
		c.Close()
		n.Add(1)
	}
	return nil
}
