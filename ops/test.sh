#!/usr/bin/env bash
# README command 2: set up (including the stand-in LLM server the client tests talk to) and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ops/setup.sh --with-llm-standin
# The browser check of the dashboard needs Debian's Chromium (and CJK fonts for the screenshots).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
    || echo "chromium could not be installed: the browser check will be skipped"
fi
exec .venv/bin/python -m pytest "$@"
