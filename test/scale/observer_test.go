package scale

import (
	"context"
	"runtime"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/netpol-advisor/netpol-advisor/internal/resolve"
	"github.com/netpol-advisor/netpol-advisor/internal/testutil"
)

// observeNode starts an observer's resolution index for node, as the
// observer wires it (internal/agent/run.go), and returns the watches it
// opened on the API server and the heap it holds once synced: it should
// hold its node's pods only, whatever the cluster's size.
func observeNode(tb testing.TB, cs kubernetes.Interface, node string) (watches int, heapMiB float64) {
	base, _ := testutil.OpenWatches(tb, cs)
	heap0 := heapAlloc()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	x, err := resolve.Watch(ctx, cs, resolve.WatchOptions{Node: node})
	if err != nil {
		tb.Fatalf("the observer's index: %v", err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		n, _ := testutil.OpenWatches(tb, cs)
		if watches = n - base; watches >= 1 {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatal("the observer opened no watch within a minute")
		}
	}
	heapMiB = float64(heapAlloc()-heap0) / (1 << 20)
	runtime.KeepAlive(x)
	return watches, heapMiB
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
