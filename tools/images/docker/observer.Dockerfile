# The observer image for people with Docker (make images builds the same image
# without one: tools/images/imagepack). From the repository root:
#
#   docker build -f tools/images/docker/observer.Dockerfile \
#     --build-arg VERSION=$(git describe --tags --always) --build-arg COMMIT=$(git rev-parse HEAD) -t netpol-advisor/observer:dev .
FROM golang:1.26 AS build
ARG VERSION=dev
ARG COMMIT=unknown
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The BPF objects are generated and committed: no clang needed.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /observer ./cmd/observer

FROM scratch
ARG VERSION=dev
ARG COMMIT=unknown
LABEL org.opencontainers.image.title=netpol-advisor-observer \
      org.opencontainers.image.description="netpol-advisor observer: eBPF connection observer for one node" \
      org.opencontainers.image.version=${VERSION} \
      org.opencontainers.image.revision=${COMMIT} \
      org.opencontainers.image.source=https://github.com/netpol-advisor/netpol-advisor \
      org.opencontainers.image.vendor=netpol-advisor
COPY --from=build /observer /observer
USER 0:0
ENTRYPOINT ["/observer"]
