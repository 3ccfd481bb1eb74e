// Package certs keeps the webhook server's TLS without hand work.
//
// The serving certificate: a self-signed CA and a certificate for the
// webhook Service's DNS names, kept in a Secret shared by every replica,
// written to the directory the controller-runtime webhook server watches,
// and the trusted CAs patched into the caBundle of the product's two
// webhook configurations. Certificates are renewed when a third of their
// lifetime is left; a CA is rotated with an overlap (rotation.go), so the
// API server trusts every certificate a replica may present at any time.
//
// Call Ensure once before the manager starts (the webhook server needs the
// files to exist), then add the Rotator to the manager so it checks again
// every Interval.
//
// The server itself (NewServer): HTTP/1.1 only, TLS 1.2 or newer, and with
// ClientAuth.CAFile only callers that present the API server's client
// certificate are served.
package certs
