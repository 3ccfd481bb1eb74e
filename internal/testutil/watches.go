package testutil

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes"
)

// OpenWatches returns the number of WATCH requests the API server is
// serving now (its apiserver_longrunning_requests gauge), by resource.
func OpenWatches(t testing.TB, cs kubernetes.Interface) (total int, byResource map[string]int) {
	t.Helper()
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		t.Fatalf("read the API server's metrics: %v", err)
	}
	byResource = map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, "apiserver_longrunning_requests{") || !strings.Contains(l, `verb="WATCH"`) {
			continue
		}
		v, err := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
		if err != nil {
			continue
		}
		res := ""
		if i := strings.Index(l, `resource="`); i >= 0 {
			res = l[i+len(`resource="`):]
			res = res[:strings.IndexByte(res, '"')]
		}
		total += int(v)
		byResource[res] += int(v)
	}
	return total, byResource
}
