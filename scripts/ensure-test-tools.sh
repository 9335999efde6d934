#!/usr/bin/env bash
# Makes sure the Debian tools the tests drive are installed: Chromium at /usr/bin/chromium for the web app's
# end-to-end test (playwright-core cannot download a browser here), openssl for the TLS tests' certificates and
# iproute2 for the cluster crash test's network partitions.
# Idempotent: exits 0 at once when everything is there; installs what is missing when running as root;
# otherwise says what to do.
set -euo pipefail

missing=()
if [[ ! -x /usr/bin/chromium ]] && ! [[ -n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH:-}" ]]; then
  missing+=(chromium)
fi
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The cluster crash test partitions NATS nodes in network namespaces of its own.
command -v ip >/dev/null 2>&1 || [[ -x /usr/sbin/ip ]] || missing+=(iproute2)

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-tools: installing ${missing[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  exit 0
fi

cat >&2 <<MSG
ensure-test-tools: missing ${missing[*]}; the tests need them. Install them as root:
  sudo apt-get update && sudo apt-get install -y ${missing[*]}
(or point CHROMIUM_PATH at another Chromium/Chrome binary when running the tests).
MSG
exit 1
