#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the web app's end-to-end test
# (clients/web/src/e2e/counter.int.test.ts drives it with playwright-core, which cannot download a browser here).
# Idempotent: exits 0 at once when Chromium is there; installs it when running as root; otherwise says what to do.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]] || [[ -n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH:-}" ]]; then
  exit 0
fi

if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing chromium with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium
  if [[ -x "$CHROMIUM" ]]; then
    echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed"
    exit 0
  fi
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
ensure-chromium: $CHROMIUM is missing; the web app's end-to-end test needs it.
Install Debian's Chromium as root:
  sudo apt-get update && sudo apt-get install -y chromium
(or point CHROMIUM_PATH at another Chromium/Chrome binary when running the tests).
MSG
exit 1
