#!/usr/bin/env bash
# Make sure WeasyPrint can lay out the printable consent form in every language it exists in:
# Pango, HarfBuzz's subsetter (WeasyPrint embeds only the glyphs used), and fonts for Latin (æøå, Polish), Cyrillic (Ukrainian), Arabic and Ethiopic (Tigrinya).
# Installs Debian packages only when something is missing, and only as root.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-extra)

have_everything() {
    # Read whole listings first: `cmd | grep -q` can kill cmd early and fail under pipefail.
    local libraries
    libraries="$(ldconfig -p 2>/dev/null || true)"
    [[ "$libraries" == *libpango-1.0.so.0* && "$libraries" == *libpangoft2-1.0.so.0* ]] || return 1
    [[ "$libraries" == *libharfbuzz-subset.so.0* ]] || return 1
    command -v fc-list >/dev/null || return 1
    # One font per script the form needs: Latin and Cyrillic, Arabic, Ethiopic.
    [ -n "$(fc-list ':family=Noto Sans:lang=uk' family)" ] || return 1
    [ -n "$(fc-list ':lang=ar' family)" ] || return 1
    [ -n "$(fc-list ':lang=ti' family)" ] || return 1
}

if have_everything; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "Pango or the fonts for the consent form PDF are missing." >&2
    echo "Install them as root:  sudo apt-get update && sudo apt-get install -y ${PACKAGES[*]}" >&2
    exit 1
fi

echo "Installing Pango and Noto fonts for the printable consent form..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${PACKAGES[@]}" </dev/null

if ! have_everything; then
    echo "apt-get finished but Pango, HarfBuzz-subset or a font (Arabic, Ethiopic) is still missing." >&2
    exit 1
fi
