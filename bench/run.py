"""The benchmark driver: `make bench` (full) and `make bench-quick` (CI smoke test).

For each database (SQLite, PostgreSQL) and size, it prepares a generated database (cached
between runs), serves the app with gunicorn (2 sync workers, production settings) next to a
bare Flask "hello" served the same way, signs in for real, and drives every workload with
wrk, interleaved hello/app/hello/app so each figure is a ratio measured in one run. Results
go to bench/results.md and bench/results.json (quick mode: instance/bench/quick-results.*).
Exits non-zero on any error, 5xx or unexpected status; quick mode asserts no timing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from client import BenchClientError, Browser
from databases import PostgresDatabase, SqliteDatabase, fingerprint
from report import Targets, write_reports
from servers import Server

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "instance" / "bench"
RUN = WORK / "run"
LUA = ROOT / "bench" / "wrk" / "workload.lua"
WRK_CONNECTIONS = 4


@dataclass(frozen=True)
class Mode:
    name: str
    sizes: tuple[int, ...]
    databases: tuple[str, ...]
    rounds: int
    seconds: int
    warmup_seconds: int
    profile: bool
    micro: bool
    #: Workload names to run; empty runs them all.
    workloads: tuple[str, ...] = ()


FULL = Mode("full", (1_000, 100_000), ("sqlite", "postgresql"), 3, 8, 2, True, True)
QUICK = Mode("quick", (1_000,), ("sqlite", "postgresql"), 1, 3, 1, False, False)


@dataclass
class Workload:
    name: str
    label: str
    path: str
    method: str = "GET"
    expect: int = 200
    cookie: str = ""
    paths: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)


# --- set-up ------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's packages when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing the Debian package...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def _private_file(path: Path, make) -> Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(make())
    return path


def bench_environment() -> tuple[dict[str, str], Path]:
    """Production settings with a keyring, secret and accounts generated outside git."""
    sys.path.insert(0, str(ROOT))
    from guide.crypto.keyring import Keyring
    from guide.demo.history import dumps_accounts, new_bench_accounts

    keyring = _private_file(WORK / "keyring.json", lambda: Keyring.generate().to_json())
    secret = _private_file(WORK / "secret-key", lambda: secrets.token_urlsafe(48))
    accounts = _private_file(WORK / "accounts.json", lambda: dumps_accounts(new_bench_accounts()))
    RUN.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FRITIDSGUIDE_") and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        FRITIDSGUIDE_ENVIRONMENT="production",
        FRITIDSGUIDE_DEMO_MODE="0",
        FRITIDSGUIDE_SECRET_KEY=secret.read_text().strip(),
        FRITIDSGUIDE_KEYRING=str(keyring),
        FRITIDSGUIDE_INSTANCE_PATH=str(RUN),
        FRITIDSGUIDE_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env, accounts


# --- workloads ---------------------------------------------------------------------------


def _form(fields: dict[str, str]) -> str:
    return urllib.parse.urlencode(fields)


def area_choices(page: str) -> list[str]:
    """The area ids the referral form offers (its area select's non-empty options)."""
    select = page.split('id="area"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option[^>]*value="([0-9a-f-]{36})"', select)


def referral_bodies(token: str, areas: list[str], count: int = 100) -> list[str]:
    """Valid referral forms for fictional children, each a little different."""
    import random

    from guide.demo import vocabulary as words

    rng = random.Random(42)
    bodies = []
    for number in range(count):
        last = rng.choice(words.LAST_NAMES)
        born = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randint(0, 2500))
        bodies.append(
            _form(
                {
                    "csrf_token": token,
                    "child_first_name": rng.choice(words.CHILD_FIRST_NAMES),
                    "child_last_name": last,
                    "birth_date": born.isoformat(),
                    "school": "Sentrum skole",
                    "school_class": "5B",
                    "area": rng.choice(areas),
                    "languages": "nb",
                    "guardian-full_name": f"{rng.choice(words.ADULT_FIRST_NAMES)} {last}",
                    "guardian-relation": "mother",
                    "guardian-phone": f"+47 9{number:07d}",
                    "guardian-email": "",
                    "guardian-preferred_language": "nb",
                    "second_guardian-preferred_language": "nb",
                    "interests_in_own_words": rng.choice(words.INTERESTS),
                    "barriers": "economy",
                    "help_level": "find_activity",
                    "reason": rng.choice(words.REFERRAL_REASONS),
                    "consent_given_by": f"{rng.choice(words.ADULT_FIRST_NAMES)} {last}",
                    "consent_relation": "mother",
                    "consent_method": "signed_paper",
                    "consent_given_on": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
                }
            )
        )
    return bodies


def prepare_workloads(app: Server, accounts: list[dict], targets: dict) -> list[Workload]:
    """Sign in as the bench coordinator and referrer and build each workload's requests."""
    by_role = {account["role"]: account for account in accounts}
    coordinator = Browser("127.0.0.1", app.port)
    coordinator.sign_in(**_credentials(by_role["coordinator"]))
    search_token = coordinator.csrf_token("/cases/find")
    referrer = Browser("127.0.0.1", app.port)
    referrer.sign_in(**_credentials(by_role["referrer"]))
    referral_token = referrer.csrf_token("/referrals/new")

    searches = [
        _form(
            {
                "csrf_token": search_token,
                "reference": "",
                "first_name": first,
                "last_name": last,
                "birth_date": born,
            }
        )
        for first, last, born in targets["identities"]
    ]
    # One search by hand first: it must find the child it names.
    first_case = targets["case_ids"][0]
    found = coordinator.request("POST", "/cases/find", dict(urllib.parse.parse_qsl(searches[0])))
    if found.status != 200 or first_case not in found.body:
        raise BenchClientError(f"search did not find case {first_case} ({found.status})")
    name_searches = [
        _form({"csrf_token": search_token, "q": text}) for text in targets["name_searches"]
    ]
    # One name search by hand first: the child's whole name must find its case.
    text, case_id = targets["name_search_check"]
    found = coordinator.request("POST", "/cases", {"csrf_token": search_token, "q": text})
    if found.status != 200 or case_id not in found.body:
        raise BenchClientError(f"the name search did not find case {case_id} ({found.status})")
    areas = area_choices(referrer.request("GET", "/referrals/new").body)
    if not areas:
        raise BenchClientError("the referral form offers no area")
    bodies = referral_bodies(referral_token, areas)
    sent = referrer.request("POST", "/referrals/new", dict(urllib.parse.parse_qsl(bodies[0])))
    if sent.status != 302:
        raise BenchClientError(f"a referral was refused with {sent.status}")
    coordinator_cookie = coordinator.cookie_header()
    return [
        Workload("case_list", "Case list (50 rows)", "/cases", cookie=coordinator_cookie),
        Workload(
            "case_page",
            "Case page",
            "/cases",
            cookie=coordinator_cookie,
            paths=[f"/cases/{case_id}" for case_id in targets["case_ids"]],
        ),
        Workload(
            "search",
            "Search: name + birth date",
            "/cases/find",
            method="POST",
            cookie=coordinator_cookie,
            bodies=searches,
        ),
        Workload(
            "name_search",
            "Search: part of a name",
            "/cases",
            method="POST",
            cookie=coordinator_cookie,
            bodies=name_searches,
        ),
        Workload(
            "referral",
            "Referral submission",
            "/referrals/new",
            method="POST",
            expect=302,
            cookie=referrer.cookie_header(),
            bodies=bodies,
        ),
        Workload("catalogue", "Public catalogue", f"/aktiviteter?org={targets['organisation_id']}"),
        Workload("dashboard", "Dashboard", "/dashboard", cookie=coordinator_cookie),
    ]


def _credentials(account: dict) -> dict[str, str]:
    return {key: account[key] for key in ("email", "password", "totp_secret")}


def run_wrk(wrk: str, server: Server, workload: Workload, seconds: int) -> dict:
    """One wrk run; returns its counts and latency percentiles."""
    env = {
        **os.environ,
        "BENCH_METHOD": workload.method,
        "BENCH_EXPECT": str(workload.expect),
        "BENCH_COOKIE": workload.cookie,
        "BENCH_PATHS_FILE": "",
        "BENCH_BODIES_FILE": "",
    }
    for kind, lines in (("PATHS", workload.paths), ("BODIES", workload.bodies)):
        if lines:
            data = RUN / f"wrk-{workload.name}-{kind.lower()}.txt"
            data.write_text("\n".join(lines) + "\n")
            env[f"BENCH_{kind}_FILE"] = str(data)
    command = [
        wrk,
        "--threads",
        "1",
        "--connections",
        str(WRK_CONNECTIONS),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        str(LUA),
        server.base_url + workload.path,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_RESULT "))
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(
        result[key]
        for key in (
            "connect_errors",
            "read_errors",
            "write_errors",
            "timeouts",
            "unexpected_status",
            "server_errors",
        )
    )
    return result


def measure(wrk: str, hello: Server, app: Server, workload: Workload, mode: Mode) -> dict:
    """Warm up, then hello/app/hello/app... for the mode's rounds; medians and ratios."""
    hello_load = Workload("hello", "hello", "/")
    warm = run_wrk(wrk, app, workload, mode.warmup_seconds)
    rounds = []
    for _ in range(mode.rounds):
        base = run_wrk(wrk, hello, hello_load, mode.seconds)
        measured = run_wrk(wrk, app, workload, mode.seconds)
        rounds.append({"hello": base, "app": measured, "ratio": measured["rps"] / base["rps"]})

    def median(key: str, side: str = "app") -> float:
        return statistics.median(round_[side][key] for round_ in rounds)

    errors = warm["errors"] + sum(r["app"]["errors"] + r["hello"]["errors"] for r in rounds)
    return {
        "workload": workload.name,
        "label": workload.label,
        "rps": round(median("rps"), 1),
        "hello_rps": round(median("rps", "hello"), 1),
        "ratio": round(statistics.median(r["ratio"] for r in rounds), 3),
        "p50_ms": round(median("p50_us") / 1000, 2),
        "p95_ms": round(median("p95_us") / 1000, 2),
        "p99_ms": round(median("p99_us") / 1000, 2),
        "requests": sum(r["app"]["requests"] for r in rounds) + warm["requests"],
        "errors": errors,
        "server_errors": warm["server_errors"] + sum(r["app"]["server_errors"] for r in rounds),
        "rounds": rounds,
    }


# --- one database at one size ------------------------------------------------------------


def bench_database(
    wrk: str, database, env: dict[str, str], accounts_file: Path, mode: Mode
) -> dict:
    label = f"{database.kind} {database.cases:,} cases".replace(",", " ")
    print(f"\n== {label}: preparing the database", flush=True)
    started = time.monotonic()
    url = database.prepare(env, accounts_file)
    prepared = time.monotonic() - started
    app_env = {**env, "DATABASE_URL": url}
    targets_file = RUN / f"targets-{database.kind}-{database.cases}.json"
    subprocess.run(
        [sys.executable, "-m", "bench.data", "sample", "--out", str(targets_file)],
        env=app_env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    targets = json.loads(targets_file.read_text())
    accounts = json.loads(accounts_file.read_text())
    hello = Server("hello", "hello_app:app", env, "/")
    app = Server(f"app-{database.kind}-{database.cases}", "guide.wsgi:app", app_env, "/sign-in")
    results = []
    try:
        workloads = prepare_workloads(app, accounts, targets)
        for workload in workloads:
            if mode.workloads and workload.name not in mode.workloads:
                continue
            result = measure(wrk, hello, app, workload, mode)
            print(
                f"   {workload.name:<10} {result['rps']:>8.1f} req/s  ratio {result['ratio']:.3f}"
                f"  p95 {result['p95_ms']:.1f} ms  errors {result['errors']}",
                flush=True,
            )
            results.append(result)
        memory = app.peak_rss_mb()
    finally:
        app.stop()
        hello.stop()
    profile = None
    if mode.profile and database.kind == "sqlite":
        profile = profile_case_list(app_env, accounts_file, database.cases)
    database.cleanup()
    return {
        "database": database.kind,
        "cases": database.cases,
        "prepare_seconds": round(prepared, 1),
        "workloads": results,
        "worker_peak_rss_mb": memory,
        "profile": profile,
    }


def profile_case_list(env: dict[str, str], accounts_file: Path, cases: int) -> dict:
    out = WORK / f"profile-case-list-{cases}.txt"
    command = [
        sys.executable,
        str(ROOT / "bench" / "profile_case_list.py"),
        "--accounts-file",
        str(accounts_file),
        "--out",
        str(out),
    ]
    output = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if output.returncode != 0:
        print(output.stderr[-3000:], file=sys.stderr)
        return {"error": "profile failed"}
    line = next(line for line in output.stdout.splitlines() if line.startswith("PROFILE_RESULT"))
    result = json.loads(line.removeprefix("PROFILE_RESULT "))
    result["report"] = str(out.relative_to(ROOT))
    print(f"   profile: decryption {100 * result['decryption_share']:.1f} % of the case list")
    return result


def micro_benchmarks() -> list[dict]:
    """pytest-benchmark's figures for crypto per field, the blind index and consent decisions."""
    out = WORK / "micro.json"
    command = [
        sys.executable, "-m", "pytest", "tests/bench", "-q", "-p", "no:cacheprovider",
        "--benchmark-enable", "-m", "benchmark", f"--benchmark-json={out}",
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True)
    data = json.loads(out.read_text())
    return [
        {
            "name": item["name"],
            "median_us": round(item["stats"]["median"] * 1e6, 2),
            "mean_us": round(item["stats"]["mean"] * 1e6, 2),
            "ops_per_s": round(item["stats"]["ops"]),
        }
        for item in data["benchmarks"]
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI smoke test: 1 000 cases")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sizes", help="comma-separated case counts (overrides the mode)")
    parser.add_argument("--databases", help="sqlite,postgresql (overrides the mode)")
    parser.add_argument("--workloads", help="comma-separated workload names (default: all)")
    args = parser.parse_args()
    mode = QUICK if args.quick else FULL
    if args.workloads:
        mode = dataclasses.replace(mode, workloads=tuple(args.workloads.split(",")))
    sizes = tuple(int(size) for size in args.sizes.split(",")) if args.sizes else mode.sizes
    kinds = tuple(args.databases.split(",")) if args.databases else mode.databases

    wrk = ensure_wrk()
    env, accounts_file = bench_environment()
    key = fingerprint(Path(env["FRITIDSGUIDE_KEYRING"]), accounts_file)
    started = time.monotonic()
    runs = []
    for kind in kinds:
        for size in sizes:
            database = (
                SqliteDatabase(cases=size, seed=args.seed, key=key, work=WORK)
                if kind == "sqlite"
                else PostgresDatabase(cases=size, seed=args.seed, key=key)
            )
            runs.append(bench_database(wrk, database, env, accounts_file, mode))
    micro = micro_benchmarks() if mode.micro else []
    meta = {
        "mode": mode.name,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "cpus": os.cpu_count(),
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "seed": args.seed,
        "rounds": mode.rounds,
        "seconds_per_run": mode.seconds,
        "wrk_connections": WRK_CONNECTIONS,
        "gunicorn_workers": 2,
        "total_seconds": round(time.monotonic() - started),
    }
    targets = Targets(runs)
    whole_run = mode is FULL and not (args.sizes or args.databases)
    folder = ROOT / "bench" if whole_run else WORK
    prefix = "results" if folder == ROOT / "bench" else f"{mode.name}-results"
    write_reports(folder, prefix, meta=meta, runs=runs, micro=micro, targets=targets)
    print(f"\nResults: {folder / (prefix + '.md')}")
    failures = [
        f"{run['database']} {run['cases']} {result['workload']}: {result['errors']} errors"
        for run in runs
        for result in run["workloads"]
        if result["errors"]
    ]
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


def _commit() -> str:
    answer = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return answer.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
