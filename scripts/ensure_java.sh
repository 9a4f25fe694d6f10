#!/usr/bin/env bash
# Make sure a Java runtime (11 or newer) is installed: the tests check every page with the
# W3C Nu HTML checker (npm vnu-jar), which runs on Java.
set -euo pipefail

java_major() {
    java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

if command -v java >/dev/null 2>&1 && [ "$(java_major)" -ge 11 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "Java 11 or newer is missing. The HTML checks in the tests need it (vnu.jar)." >&2
    echo "Install it as root:  sudo apt-get update && sudo apt-get install -y default-jre-headless" >&2
    exit 1
fi

echo "Installing Debian's default-jre-headless package for the HTML checks..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq default-jre-headless </dev/null

if ! command -v java >/dev/null 2>&1; then
    echo "apt-get finished but java is still missing." >&2
    exit 1
fi
