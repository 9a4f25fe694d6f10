"""The bench's results: which targets are met, and results.md / results.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

#: Throughput as a share of bare hello, on SQLite.
THROUGHPUT_TARGETS = {"case_list": 0.25, "case_page": 0.2, "referral": 0.1}
#: p95 at the largest size ÷ p95 at 1 000 cases.
SCALING_TARGETS = {
    "case_list": 1.3,
    "case_page": 1.3,
    "search": 1.3,
    "name_search": 1.5,
    "dashboard": 2.0,
}
DECRYPTION_SHARE_TARGET = 0.10
MEMORY_TARGET_MB = 150
SMALL = 1_000


@dataclass(frozen=True)
class Check:
    name: str
    value: str
    target: str
    met: bool | None  #: None: not measured in this run


class Targets:
    """Evaluates the issue's targets against a run's figures."""

    def __init__(self, runs: list[dict]) -> None:
        self.runs = runs
        self.largest = max((run["cases"] for run in runs), default=0)

    def _result(self, database: str, cases: int, workload: str) -> dict | None:
        for run in self.runs:
            if run["database"] == database and run["cases"] == cases:
                return next((r for r in run["workloads"] if r["workload"] == workload), None)
        return None

    def scaling(self) -> list[dict]:
        """p95 ratio between the largest size and 1 000 cases, per database and workload."""
        rows = []
        for database in dict.fromkeys(run["database"] for run in self.runs):
            if self.largest == SMALL:
                continue
            for workload in ("case_list", "case_page", "search", "name_search", "referral",
                             "catalogue", "dashboard"):  # fmt: skip
                small = self._result(database, SMALL, workload)
                large = self._result(database, self.largest, workload)
                if small and large:
                    rows.append({
                        "database": database,
                        "workload": workload,
                        "p95_small_ms": small["p95_ms"],
                        "p95_large_ms": large["p95_ms"],
                        "ratio": round(large["p95_ms"] / small["p95_ms"], 2),
                    })  # fmt: skip
        return rows

    def checks(self) -> list[Check]:
        checks = []
        for workload, floor in THROUGHPUT_TARGETS.items():
            ratios = [
                (run["cases"], r["ratio"])
                for run in self.runs
                if run["database"] == "sqlite"
                for r in run["workloads"]
                if r["workload"] == workload
            ]
            value = ", ".join(
                f"{ratio:.3f} at {cases:,}".replace(",", " ") for cases, ratio in ratios
            )
            checks.append(
                Check(f"{workload} throughput (SQLite)", value or "–", f"≥ {floor} × hello",
                      all(ratio >= floor for _, ratio in ratios) if ratios else None)
            )  # fmt: skip
        scaling = self.scaling()
        for workload, ceiling in SCALING_TARGETS.items():
            rows = [row for row in scaling if row["workload"] == workload]
            value = ", ".join(f"{row['ratio']} ({row['database']})" for row in rows)
            checks.append(
                Check(f"{workload} p95 {self.largest:,} ÷ 1 000".replace(",", " "),
                      value or "–", f"≤ {ceiling}",
                      all(row["ratio"] <= ceiling for row in rows) if rows else None)
            )  # fmt: skip
        profiles = [run["profile"] for run in self.runs if run.get("profile")]
        shares = [(p["decryption_share"]) for p in profiles if p.get("decryption_share")]
        checks.append(
            Check("decryption share of case list server time",
                  ", ".join(f"{100 * share:.1f} %" for share in shares) or "–",
                  f"≤ {DECRYPTION_SHARE_TARGET:.0%}",
                  all(share <= DECRYPTION_SHARE_TARGET for share in shares) if shares else None)
        )  # fmt: skip
        peaks = [
            max(run["worker_peak_rss_mb"] or [0])
            for run in self.runs
            if run["cases"] == self.largest
        ]
        checks.append(
            Check(f"peak RSS per worker at {self.largest:,} cases".replace(",", " "),
                  ", ".join(f"{peak:.0f} MB" for peak in peaks) or "–",
                  f"≤ {MEMORY_TARGET_MB} MB",
                  all(peak <= MEMORY_TARGET_MB for peak in peaks) if peaks else None)
        )  # fmt: skip
        errors = sum(r["errors"] for run in self.runs for r in run["workloads"])
        checks.append(Check("errors, 5xx and unexpected statuses", str(errors), "0", errors == 0))
        return checks


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def write_reports(
    folder: Path,
    prefix: str,
    *,
    meta: dict,
    runs: list[dict],
    micro: list[dict],
    targets: Targets,
) -> None:
    """Write ``<prefix>.json`` and ``<prefix>.md`` into ``folder``."""
    checks = targets.checks()
    data = {
        "meta": meta,
        "runs": runs,
        "scaling": targets.scaling(),
        "targets": [vars(check) for check in checks],
        "micro_benchmarks": micro,
    }
    (folder / f"{prefix}.json").write_text(json.dumps(data, indent=1) + "\n")
    lines = [
        "# Benchmark results",
        "",
        f"Mode **{meta['mode']}**, {meta['date']}, commit `{meta['commit']}`, "
        f"{meta['cpus']} CPUs (load average at the end {meta['load_average_at_end']}). "
        f"gunicorn {meta['gunicorn_workers']} sync workers, wrk {meta['wrk_connections']} "
        f"connections, {meta['rounds']} interleaved rounds of {meta['seconds_per_run']} s "
        "(hello, app, hello, app, …); figures are medians, ratios are per-round app ÷ hello.",
        "How to rerun and read these: [docs/benchmark.md](../docs/benchmark.md).",
        "",
        "## Targets",
        "",
        "| target | measured | goal | |",
        "|---|---|---|---|",
        *(f"| {c.name} | {c.value} | {c.target} | {_mark(c.met)} |" for c in checks),
        "",
        "## Workloads",
        "",
        "| database | cases | workload | req/s | × hello | p50 ms | p95 ms | p99 ms "
        "| requests | errors |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for r in run["workloads"]:
            lines.append(
                f"| {run['database']} | {run['cases']:,} | {r['label']} | {r['rps']:.0f} "
                f"| {r['ratio']:.3f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} "
                f"| {r['requests']} | {r['errors']} |".replace(",", " ")
            )
    lines += ["", "Bare hello, median req/s per run: " + ", ".join(
        f"{run['database']} {run['cases']:,}: {statistics_hello(run):.0f}".replace(",", " ")
        for run in runs
    ) + "."]  # fmt: skip
    scaling = targets.scaling()
    if scaling:
        lines += [
            "",
            "## Scaling: p95 at the largest size ÷ p95 at 1 000 cases",
            "",
            "| database | workload | p95 1 000 (ms) | p95 large (ms) | ratio |",
            "|---|---|---:|---:|---:|",
            *(
                f"| {row['database']} | {row['workload']} | {row['p95_small_ms']:.1f} "
                f"| {row['p95_large_ms']:.1f} | {row['ratio']} |"
                for row in scaling
            ),
        ]
    lines += [
        "",
        "## Memory and preparation",
        "",
        "| database | cases | peak RSS per worker (MB) | database ready in (s) |",
        "|---|---:|---|---:|",
        *(
            f"| {run['database']} | {run['cases']:,} | "
            f"{', '.join(str(peak) for peak in run['worker_peak_rss_mb'])} "
            f"| {run['prepare_seconds']} |".replace(",", " ", 1)
            for run in runs
        ),
    ]
    profiles = [run for run in runs if run.get("profile") and "error" not in run["profile"]]
    if profiles:
        lines += [
            "",
            "## Case list profile (pyinstrument, in-process, SQLite)",
            "",
            "| cases | ms per request | decryption share | full profile |",
            "|---:|---:|---:|---|",
            *(
                f"| {run['cases']:,} | {run['profile']['ms_per_request']} "
                f"| {100 * run['profile']['decryption_share']:.1f} % "
                f"| `{run['profile']['report']}` |".replace(",", " ", 1)
                for run in profiles
            ),
        ]
    if micro:
        lines += [
            "",
            "## Micro-benchmarks (pytest-benchmark)",
            "",
            "| benchmark | median µs | mean µs | ops/s |",
            "|---|---:|---:|---:|",
            *(
                f"| {m['name']} | {m['median_us']} | {m['mean_us']} | {m['ops_per_s']} |"
                for m in micro
            ),
        ]
    (folder / f"{prefix}.md").write_text("\n".join(lines) + "\n")


def statistics_hello(run: dict) -> float:
    """The median hello throughput over a run's workloads."""
    values = sorted(r["hello_rps"] for r in run["workloads"])
    return values[len(values) // 2] if values else 0.0
