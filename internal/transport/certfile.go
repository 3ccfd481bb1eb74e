package transport

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// CertFile serves a TLS certificate from a PEM certificate and key file
// pair and loads it again when either file changes (a cert-manager or
// Secret rotation rewrites them in place), so the server never has to be
// restarted for a new certificate. Files are checked at most every Every
// on a handshake; a pair that does not load keeps the last good one.
type CertFile struct {
	CertPath, KeyPath string
	Every             time.Duration // default 10 s
	Logger            *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string // modification times and sizes of the loaded files
	checked time.Time
}

// LoadCertFile loads the pair once; it fails when the files do not hold a
// certificate and its key.
func LoadCertFile(certPath, keyPath string, log *slog.Logger) (*CertFile, error) {
	c := &CertFile{CertPath: certPath, KeyPath: keyPath, Logger: log}
	if err := c.load(); err != nil {
		return nil, err
	}
	return c, nil
}

// GetCertificate is for tls.Config.GetCertificate.
func (c *CertFile) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) >= cmpOr(c.Every, 10*time.Second) {
		c.checked = time.Now()
		if stamp, err := c.stampOf(); err == nil && stamp != c.stamp {
			if err := c.loadLocked(); err != nil && c.Logger != nil {
				c.Logger.Error("reload the TLS certificate; serving the previous one", "err", err)
			} else if c.Logger != nil {
				c.Logger.Info("TLS certificate reloaded", "cert", c.CertPath)
			}
		}
	}
	return c.cert, nil
}

func (c *CertFile) load() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checked = time.Now()
	return c.loadLocked()
}

func (c *CertFile) loadLocked() error {
	stamp, err := c.stampOf()
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(c.CertPath, c.KeyPath)
	if err != nil {
		return fmt.Errorf("load the TLS certificate %q and key %q: %w", c.CertPath, c.KeyPath, err)
	}
	c.cert, c.stamp = &cert, stamp
	return nil
}

// stampOf identifies the files' current contents without reading them.
func (c *CertFile) stampOf() (string, error) {
	var stamp string
	for _, p := range []string{c.CertPath, c.KeyPath} {
		fi, err := os.Stat(p) // follows the symlinks of a mounted Secret
		if err != nil {
			return "", fmt.Errorf("read the TLS certificate: %w", err)
		}
		stamp += fmt.Sprintf("%d/%d;", fi.ModTime().UnixNano(), fi.Size())
	}
	return stamp, nil
}
