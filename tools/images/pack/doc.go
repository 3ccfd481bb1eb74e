// Package pack builds single-layer OCI images from static binaries on an
// empty base and writes them as image tarballs that containerd imports
// (`ctr images import`), for a cluster that has no registry.
package pack
