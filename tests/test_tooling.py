"""The promises the README and CI make: two-command start, CI runs the suite, no secrets."""

from __future__ import annotations

import base64
import re
import secrets
import subprocess
from pathlib import Path

from guide.crypto.keyring import Keyring

ROOT = Path(__file__).resolve().parent.parent

#: A PEM block of any kind of private key ("RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", ...).
PRIVATE_KEY_PATTERN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
#: A quoted name whose value is standard base64 of exactly 32 bytes: a keyring entry.
KEYRING_ENTRY_PATTERN = re.compile(r"""["'][\w.-]{1,64}["']\s*:\s*["']([A-Za-z0-9+/]{43}=)["']""")
MAKE_TARGET_PATTERN = re.compile(r"^([A-Za-z0-9][\w.-]*)\s*:(?!=)", re.MULTILINE)


def quick_start_commands(readme: str) -> list[str]:
    """The commands in the fenced block that opens the "Quick start" section."""
    lines = readme.splitlines()
    heading = next(
        (i for i, line in enumerate(lines) if re.fullmatch(r"#+\s*Quick start\s*", line, re.I)),
        None,
    )
    assert heading is not None, 'README.md has no "Quick start" heading'
    rest = lines[heading + 1 :]
    opening = next((i for i, line in enumerate(rest) if line.startswith("```")), None)
    assert opening is not None, "the Quick start section has no fenced code block"
    assert not any(line.startswith("#") for line in rest[:opening]), "block is in another section"
    closing = next(i for i, line in enumerate(rest) if i > opening and line.startswith("```"))
    commands = (line.strip() for line in rest[opening + 1 : closing])
    return [line.removeprefix("$ ") for line in commands if line and not line.startswith("#")]


def makefile_targets() -> set[str]:
    return set(MAKE_TARGET_PATTERN.findall((ROOT / "Makefile").read_text(encoding="utf-8")))


def secrets_in(text: str) -> list[str]:
    """Descriptions of what in ``text`` looks like a private key or a real keyring key."""
    found = [f"private key block {m.group(0)!r}" for m in PRIVATE_KEY_PATTERN.finditer(text)]
    for match in KEYRING_ENTRY_PATTERN.finditer(text):
        if len(base64.b64decode(match.group(1))) == 32:
            found.append("a base64 value of 32 bytes (a keyring key?)")
    return found


def project_files() -> list[Path]:
    """Tracked files plus new ones that are not ignored: everything a commit could hold."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    names = sorted({name for name in listing.stdout.decode().split("\0") if name})
    return [ROOT / name for name in names if (ROOT / name).is_file()]


def test_readme_quick_start_is_two_make_commands():
    commands = quick_start_commands((ROOT / "README.md").read_text(encoding="utf-8"))

    assert commands == ["make run", "make test"]
    targets = makefile_targets()
    for command in commands:
        assert command.split()[1] in targets


def test_makefile_has_the_daily_targets():
    assert {"run", "test", "test-postgresql", "lint", "fmt", "migrate"} <= makefile_targets()


def test_ci_runs_both_databases_and_the_linters():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    invoked = re.findall(r"^\s*(?:step\s+)?make\s+([\w-]+)\s*$", script, re.MULTILINE)

    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    assert invoked == ["test", "test-postgresql", "lint", "bench-quick"]


def test_secret_detector_finds_a_generated_keyring_and_a_private_key():
    pem = "-----BEGIN " + "OPENSSH PRIVATE KEY-----\n" + secrets.token_hex(16)

    assert secrets_in(Keyring.generate().to_json())
    assert secrets_in(pem)
    assert not secrets_in('{"active": "k1", "keys": {"k1": "<base64 of 32 bytes>"}}')


def test_no_file_in_the_repository_holds_a_key():
    files = project_files()
    leaks = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := secrets_in(path.read_bytes().decode("utf-8", errors="ignore")))
    }

    assert ROOT / "pyproject.toml" in files
    assert leaks == {}
