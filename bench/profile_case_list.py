"""Profile the coordinator's case list with pyinstrument: where does the server's time go?

Run by bench/run.py with the bench's environment (production settings, the generated
database). Signs in for real through the test client, warms up, then profiles a number of
requests and prints one line ``PROFILE_RESULT {json}`` with the share of the request time
spent decrypting fields. The full text profile goes to the file given with ``--out``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import pyotp
from pyinstrument import Profiler

from guide import create_app

#: Frames whose time counts as decryption: the descriptor that opens each sealed value, and
#: ``reveal``, which opens values selected as plain columns (the list reads rows, not objects).
DECRYPTION_FRAMES = {
    ("__get__", "crypto/fields.py"),
    ("reveal", "crypto/fields.py"),
    ("decrypt_bytes", "crypto/cipher.py"),
}
REQUEST_FRAMES = {("wsgi_app", "flask/app.py")}


def _matching_time(frame, names: set[tuple[str, str]]) -> float:
    """Total time of the outermost frames matching ``names`` (nested ones are not re-counted)."""
    path = (frame.file_path or "").replace("\\", "/")
    if any(frame.function == name and path.endswith(suffix) for name, suffix in names):
        return frame.time
    return sum(_matching_time(child, names) for child in frame.children)


def _sign_in(client, account: dict[str, str]) -> None:
    def token(path: str) -> str:
        page = client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    client.post(
        "/sign-in",
        data={
            "csrf_token": token("/sign-in"),
            "email": account["email"],
            "password": account["password"],
        },
    )
    totp = pyotp.TOTP(account["totp_secret"], interval=30)
    for offset in (0, 30):
        answer = client.post(
            "/sign-in/code",
            data={"csrf_token": token("/sign-in/code"), "code": totp.at(time.time() + offset)},
        )
        if answer.status_code == 302:
            return
    raise SystemExit("profile: could not sign in the bench coordinator")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts-file", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    accounts = json.loads(args.accounts_file.read_text())
    coordinator = next(account for account in accounts if account["role"] == "coordinator")

    app = create_app()
    client = app.test_client()
    _sign_in(client, coordinator)
    for _ in range(5):
        assert client.get("/cases").status_code == 200
    profiler = Profiler(interval=0.0002)
    started = time.perf_counter()
    profiler.start()
    for _ in range(args.requests):
        assert client.get("/cases").status_code == 200
    profiler.stop()
    elapsed = time.perf_counter() - started
    root = profiler.last_session.root_frame()
    request_time = _matching_time(root, REQUEST_FRAMES)
    decryption_time = _matching_time(root, DECRYPTION_FRAMES)
    args.out.write_text(profiler.output_text(unicode=True, show_all=False))
    result = {
        "requests": args.requests,
        "ms_per_request": round(1000 * elapsed / args.requests, 2),
        "request_seconds": round(request_time, 4),
        "decryption_seconds": round(decryption_time, 4),
        "decryption_share": round(decryption_time / request_time, 4) if request_time else None,
    }
    print("PROFILE_RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
