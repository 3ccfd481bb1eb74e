// Package certs keeps the webhook server's TLS certificate without hand
// work: a self-signed CA and a serving certificate for the webhook
// Service's DNS names, kept in a Secret shared by every replica, written to
// the directory the controller-runtime webhook server watches, and the CA
// patched into the caBundle of the product's two webhook configurations.
// Certificates are renewed when a third of their lifetime is left.
//
// Call Ensure once before the manager starts (the webhook server needs the
// files to exist), then add the Rotator to the manager so it checks again
// every Interval.
package certs
