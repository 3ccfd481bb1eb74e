package ui

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
)

// ErrNoBrowser says there is no browser to open here (no display, or no
// opener): the person opens the printed URL themselves.
var ErrNoBrowser = errors.New("no browser here")

// OpenBrowser opens url in the desktop's browser when there is one.
func OpenBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return ErrNoBrowser
		}
		path, err := exec.LookPath("xdg-open")
		if err != nil {
			return ErrNoBrowser
		}
		cmd = exec.Command(path, url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
