#!/usr/bin/env bash
# The local demo server: a mail sink that prints each e-mail, the outbox worker that
# sends queued mail to it, and the web app. Ctrl-C stops all three.
#
# Ports come from PORT (the web app, default 5000) and SMTP_PORT (the mail sink, default
# 8025); links in e-mails follow PORT through the app's base_url setting, unless
# FRITIDSGUIDE_BASE_URL is set. `scripts/serve_dev.sh --print-env` prints the settings it
# derives and exits.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port_from() {  # NAME VALUE: the value if it is a port number, else a message and exit 2
    if [[ ! "$2" =~ ^[0-9]{1,5}$ ]] || (( 10#$2 < 1 || 10#$2 > 65535 )); then
        echo "$1 must be a port number from 1 to 65535, not '$2'." >&2
        exit 2
    fi
    echo $(( 10#$2 ))
}

web_port=$(port_from PORT "${PORT:-5000}")
smtp_port=$(port_from SMTP_PORT "${SMTP_PORT:-8025}")
if (( web_port == smtp_port )); then
    echo "PORT and SMTP_PORT must differ (both are $web_port)." >&2
    exit 2
fi
export FRITIDSGUIDE_BASE_URL="${FRITIDSGUIDE_BASE_URL:-http://127.0.0.1:$web_port}"
export FRITIDSGUIDE_SMTP_HOST=127.0.0.1
export FRITIDSGUIDE_SMTP_PORT="$smtp_port"

if [[ "${1:-}" == "--print-env" ]]; then
    echo "PORT=$web_port"
    echo "FRITIDSGUIDE_BASE_URL=$FRITIDSGUIDE_BASE_URL"
    echo "FRITIDSGUIDE_SMTP_HOST=$FRITIDSGUIDE_SMTP_HOST"
    echo "FRITIDSGUIDE_SMTP_PORT=$FRITIDSGUIDE_SMTP_PORT"
    exit 0
fi

venv=.venv/bin
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT INT TERM

"$venv/python" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Debugging &
pids+=($!)
"$venv/flask" --app guide outbox work --interval 5 &
pids+=($!)
# Production runs this daily from cron or a systemd timer (docs/equipment.md); here once.
"$venv/flask" --app guide loans remind
echo "Fritidsguide: http://127.0.0.1:$web_port (e-mail printed here, sink on port $smtp_port)"
"$venv/flask" --app guide run --host 127.0.0.1 --port "$web_port"
