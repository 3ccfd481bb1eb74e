package observer_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netpol-advisor/netpol-advisor/internal/testutil/netns"
)

// The test binary doubles as the pods' programs: started with helperEnv set
// it runs helperMain instead of the tests. It is started through symlinks
// so that each program has its own command name (comm), as real ones do.
const helperEnv = "NETPOL_OBSERVER_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// helperMain runs "serve SPEC..." or "client SPEC..."; each SPEC is
// kind:address.
func helperMain(args []string) int {
	if len(args) == 1 && args[0] == "open" {
		return openAsHelper()
	}
	if len(args) > 0 && modes[args[0]] != nil {
		if err := modes[args[0]](args[1:]); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", args[0], err)
			return 1
		}
		return 0
	}
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: serve|client kind:addr...")
		return 2
	}
	run := clientStep
	if args[0] == "serve" {
		run = serveStep
	}
	for _, spec := range args[1:] {
		kind, addr, _ := strings.Cut(spec, ":")
		if err := run(kind, addr); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", spec, err)
			return 1
		}
	}
	if args[0] == "serve" {
		fmt.Println("ready")
		select {} // killed by the test's cleanup
	}
	return 0
}

// startHelper starts the test binary as program name in pod and, for
// servers, waits until it listens.
func startHelper(t *testing.T, pod *netns.Pod, name string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(link, args...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := pod.Start(t, cmd); err != nil {
		t.Fatal(err)
	}
	if args[0] == "serve" || readyModes[args[0]] {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "ready\n" {
			t.Fatalf("%s in pod %s did not start: %q %v", name, pod.Name, line, err)
		}
	}
	return cmd
}

func serveStep(kind, addr string) error {
	switch kind {
	case "tcp":
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		go acceptLoop(ln)
	case "udp", "udpsink":
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return err
		}
		go packetLoop(pc, kind == "udp")
	default:
		return fmt.Errorf("unknown server kind %q", kind)
	}
	return nil
}

func acceptLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 512)
			n, _ := c.Read(buf)
			_, _ = c.Write(buf[:n])
		}()
	}
}

func packetLoop(pc net.PacketConn, reply bool) {
	buf := make([]byte, 512)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if reply {
			_, _ = pc.WriteTo(buf[:n], from)
		}
	}
}

// clientStep does one exchange: tcp and udp send and expect the echo,
// udpsend sends two datagrams from one socket, tcpfail expects the connect
// to be refused, tcpdrop expects it to time out and tcpreject expects it to
// fail either way (an ICMP error the kernel got while connect() held the
// socket only fails it at the next SYN's answer, after the timeout).
func clientStep(kind, addr string) error {
	network := map[string]string{"tcp": "tcp", "tcpfail": "tcp", "tcpdrop": "tcp", "tcpreject": "tcp", "udp": "udp", "udpsend": "udp"}[kind]
	if network == "" {
		return fmt.Errorf("unknown client kind %q", kind)
	}
	if kind == "tcpfail" || kind == "tcpdrop" || kind == "tcpreject" {
		return failConnect(addr, kind)
	}
	c, err := net.DialTimeout(network, addr, 3*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	for range map[bool]int{true: 2, false: 1}[kind == "udpsend"] {
		if _, err := io.WriteString(c, "ping"); err != nil {
			return err
		}
	}
	if kind == "udpsend" {
		return nil
	}
	buf := make([]byte, 16)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "ping" {
		return fmt.Errorf("echo: %q, %v", buf[:n], err)
	}
	return nil
}

func failConnect(addr, kind string) error {
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err == nil {
		c.Close()
		return fmt.Errorf("connect succeeded, want failure")
	}
	var nerr net.Error
	timeout := kind == "tcpdrop"
	if isTimeout := errors.As(err, &nerr) && nerr.Timeout(); kind != "tcpreject" && isTimeout != timeout {
		return fmt.Errorf("connect failed with %v, want timeout %v", err, timeout)
	}
	return nil
}
