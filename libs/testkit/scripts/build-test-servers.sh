#!/usr/bin/env bash
# Builds (once, then cached) the real servers the integration tests run: a current nats-server and
# FerretDB v1 through our wrapper module (see go/ferretdb/main.go). Idempotent; safe to run every time.
set -euo pipefail

NATS_VERSION="v2.12.4"
FERRETDB_VERSION="v1.24.2"
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

ferret_bin="$cache/ferretdb-$FERRETDB_VERSION"
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
