#!/usr/bin/env bash
# The local demo server: a mail sink that prints each e-mail, the outbox worker that
# sends queued mail to it, and the web app on http://127.0.0.1:5000. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=.venv/bin
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT INT TERM

"$venv/python" -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Debugging &
pids+=($!)
"$venv/flask" --app guide outbox work --interval 5 &
pids+=($!)
# Production runs this daily from cron or a systemd timer (docs/equipment.md); here once.
"$venv/flask" --app guide loans remind
"$venv/flask" --app guide run --host 127.0.0.1 --port 5000
