// Module images holds the small static programs the test cluster runs (the
// pod sandbox "pause", the netcheck client/server) and imagepack, which packs
// static binaries into OCI image tarballs on an empty base: there is no
// registry here, so images are imported into containerd from files.
module github.com/netpol-advisor/netpol-advisor/tools/images

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/google/go-containerregistry v0.22.1
)

require (
	github.com/klauspost/compress v1.19.2 // indirect
	github.com/opencontainers/go-digest v1.0.0 // indirect
	github.com/opencontainers/image-spec v1.1.1 // indirect
)
