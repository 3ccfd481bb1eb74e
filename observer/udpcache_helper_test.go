package observer_test

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"
)

// The helper programs of the UDP cache's tests (udpcache_test.go).
func init() {
	modes["burst"] = burstMain
	modes["runs"] = runsMain
	readyModes["burst"] = true
}

// burstMain: "burst ADDR N STOPFILE" sends N datagrams from one connected
// socket, says ready, and keeps the socket open, idle, until STOPFILE
// exists (at most 10 s).
func burstMain(args []string) error {
	c, err := net.Dial("udp", args[0])
	if err != nil {
		return err
	}
	defer c.Close()
	for range atoi(args[1]) {
		if _, err := c.Write([]byte("burst")); err != nil {
			return err
		}
	}
	fmt.Println("ready")
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(args[2]); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s never appeared", args[2])
}

// runsMain: "runs N ADDR..." sends N datagrams to each address in turn
// (an address may come again) from one unconnected socket: its peer
// changes between runs, not between datagrams.
func runsMain(args []string) error {
	c, err := net.ListenUDP("udp4", nil)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, a := range args[1:] {
		to := netip.MustParseAddrPort(a)
		for range atoi(args[0]) {
			if _, err := c.WriteToUDPAddrPort([]byte("run"), to); err != nil {
				return err
			}
		}
	}
	return nil
}
