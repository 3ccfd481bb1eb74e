package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"time"
)

// A CA rotation never leaves a serving certificate that the caBundle the
// API server holds does not trust, whichever replica renews first and
// however late the API server sees the patched configurations:
//
//  1. Half-way through the CA's life a next CA is made and added to the
//     bundle; certificates are still signed by the current one.
//  2. When the CA is no longer fresh (a third of its life left) and the
//     next CA has been in the bundle for at least one Interval, the next CA
//     becomes current and the serving certificate is re-issued under it.
//     Every replica patches the caBundle before it writes new files, and
//     the bundle it patches already held the new CA for an Interval.
//  3. The old CA's certificate stays in the bundle until it expires, so a
//     replica still serving the old certificate keeps being trusted; its
//     key is dropped at once.
//
// An expired or unreadable CA is replaced at once: nothing it signed can be
// trusted any more.

// state is the certificates of the Secret.
type state struct {
	ca      *keyPair            // signs the serving certificate
	next    *keyPair            // staged, trusted, not signing yet; may be nil
	retired []*x509.Certificate // former CAs, trusted until they expire
	serving *keyPair
}

// advance moves s to what it should be at now.
func (r *Rotator) advance(s state) (state, error) {
	now := r.now()
	var err error
	if s.ca == nil || !now.Before(s.ca.cert.NotAfter) {
		if s.ca, err = r.replacement(s.next, now); err != nil {
			return state{}, err
		}
		s.next, s.serving = nil, nil
	}
	life := s.ca.cert.NotAfter.Sub(s.ca.cert.NotBefore)
	if s.next == nil && !now.Before(s.ca.cert.NotBefore.Add(life/2)) {
		if s.next, err = newCA(now, r.caValidity()); err != nil {
			return state{}, err
		}
	}
	if !fresh(s.ca.cert, now) && s.next != nil && !now.Before(stagedAt(s.next).Add(r.interval())) {
		s.retired = append(s.retired, s.ca.cert)
		s.ca, s.next = s.next, nil
	}
	s.retired = slices.DeleteFunc(s.retired, func(c *x509.Certificate) bool { return !now.Before(c.NotAfter) })
	if !r.servingValid(s) {
		validity := min(r.validity(), s.ca.cert.NotAfter.Sub(now))
		if s.serving, err = newServing(s.ca, r.dnsNames(), r.Options.IPs, now, validity); err != nil {
			return state{}, err
		}
	}
	return s, nil
}

// replacement is the CA that takes over from an expired or missing one: the
// staged next CA if it is still good, else a new one.
func (r *Rotator) replacement(next *keyPair, now time.Time) (*keyPair, error) {
	if next != nil && now.Before(next.cert.NotAfter) && fresh(next.cert, now) {
		return next, nil
	}
	return newCA(now, r.caValidity())
}

// stagedAt is when a CA was made (newCA backdates NotBefore by backdate).
func stagedAt(ca *keyPair) time.Time { return ca.cert.NotBefore.Add(backdate) }

// servingValid reports whether s's serving certificate is fresh, signed by
// the current CA and valid for every name and IP.
func (r *Rotator) servingValid(s state) bool {
	if s.serving == nil || !fresh(s.serving.cert, r.now()) {
		return false
	}
	roots := x509.NewCertPool()
	roots.AddCert(s.ca.cert)
	names := []string{r.dnsNames()[0]}
	for _, ip := range r.Options.IPs {
		names = append(names, ip.String())
	}
	for _, name := range names {
		if _, err := s.serving.cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: name, CurrentTime: r.now()}); err != nil {
			return false
		}
	}
	return true
}

// trustBundle is the caBundle: the current CA, the next one, the retired
// ones, in that order.
func (s state) trustBundle() []byte {
	var b bytes.Buffer
	certs := []*x509.Certificate{s.ca.cert}
	if s.next != nil {
		certs = append(certs, s.next.cert)
	}
	for _, c := range append(certs, s.retired...) {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

func (r *Rotator) caValidity() time.Duration {
	return orDefault(r.Options.CAValidity, 5*365*24*time.Hour)
}

func (r *Rotator) validity() time.Duration {
	return orDefault(r.Options.Validity, 365*24*time.Hour)
}

func (r *Rotator) interval() time.Duration { return orDefault(r.Options.Interval, time.Hour) }
