#!/usr/bin/env bash
# Make sure Debian's Chromium is installed: the browser tests drive it through Playwright.
# Never runs `playwright install` (that downloads a browser from the internet).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium is missing ($CHROMIUM). The browser tests need Debian's chromium package." >&2
    echo "Install it as root:  sudo apt-get update && sudo apt-get install -y chromium" >&2
    exit 1
fi

echo "Installing Debian's chromium package for the browser tests..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium </dev/null

if [ ! -x "$CHROMIUM" ]; then
    echo "apt-get finished but $CHROMIUM is still missing." >&2
    exit 1
fi
