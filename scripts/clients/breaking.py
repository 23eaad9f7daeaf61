"""Breaking changes of the contract since the last release, each one announced or the check fails.

Runs Optic's breaking-changes rules (`optic diff BASELINE HEAD --check`) and reads its report:
every failed check is one breaking change, at an operation ("GET /api/v1/me"), a location
("response 200 > body application/json > property /schema/properties/role") and a rule with
its message ("[request and response property enums] cannot add enum option 'x' ...").

A change is announced by a line of openapi/BREAKING.md in the section `## Since <version>` of
the baseline's version:

    - `METHOD /path` `fragment` — why, and what clients do about it

METHOD and /path may use `*` (any text), e.g. `* /api/v1/org-units*`; the fragment is text the
change's "[rule] message at location" contains, or `*` for every breaking change of the
matched operations (an operation removed or reshaped as a whole).

usage: breaking.py OPTIC_BIN BASELINE_JSON HEAD_JSON BREAKING_MD OUT_DIR
Exit 0 when every breaking change is announced, 1 when one is not, 2 when Optic's report cannot
be read.
"""

import fnmatch
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

OPERATION = re.compile(r"^[x✔!] (GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) (\S+):")
CONTEXT = re.compile(r"^(\s*)- (.*?):?\s*$")
FAILURE = re.compile(r"^(\s*)x \[([^\]]+)\] (.*)$")
CHECKS = re.compile(r"Checks: (\d+)/(\d+) passed")
ANNOUNCEMENT = re.compile(r"^- `([^`]+)` `([^`]+)`(.*)$")


@dataclass
class Change:
    operation: str
    location: str
    rule: str
    message: str

    def text(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"[{self.rule}] {self.message}{where}"


@dataclass
class Announcement:
    line: int
    method: str
    path: str
    fragment: str
    used: int = 0

    def covers(self, change: Change) -> bool:
        method, _, path = change.operation.partition(" ")
        return (
            fnmatch.fnmatchcase(method, self.method)
            and fnmatch.fnmatchcase(path, self.path)
            and (self.fragment == "*" or self.fragment in change.text())
        )


def parse_report(report: str) -> tuple[list[Change], int | None]:
    """The failed checks of Optic's text report, and the count of failures it states."""
    changes: list[Change] = []
    operation = "(document)"
    context: list[tuple[int, str]] = []  # (indent, "- ..." item) above the current line
    stated = None
    for line in report.splitlines():
        if m := CHECKS.search(line):
            stated = int(m[2]) - int(m[1])
            continue
        if m := OPERATION.match(line):
            operation, context = f"{m[1]} {m[2]}", []
            continue
        if m := FAILURE.match(line):
            indent = len(m[1])
            where = " > ".join(item for i, item in context if i < indent)
            changes.append(Change(operation, where, m[2], m[3].removesuffix(" This is a breaking change.").rstrip(".")))
            continue
        if m := CONTEXT.match(line):
            indent = len(m[1])
            item = m[2].split(": ")[0].rstrip(":")  # "property /schema/x: changed" -> "property /schema/x"
            context = [(i, it) for i, it in context if i < indent] + [(indent, item)]
    return changes, stated


def read_announcements(path: Path, version: str) -> tuple[list[Announcement], list[str]]:
    """The announcement lines of `## Since <version>`, and the lines there that do not parse."""
    announcements: list[Announcement] = []
    malformed: list[str] = []
    in_section = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            in_section = line.strip() == f"## Since {version}"
            continue
        if not in_section or not line.startswith("- "):
            continue
        m = ANNOUNCEMENT.match(line)
        operation = m[1].split() if m else []
        if not m or len(operation) != 2:
            malformed.append(f"{path}:{number}: {line}")
            continue
        announcements.append(Announcement(number, operation[0], operation[1], m[2]))
    return announcements, malformed


def main() -> int:
    optic, baseline, head, breaking_md, out = sys.argv[1:6]
    version = re.fullmatch(r"openapi-(.+)\.json", Path(baseline).name)
    if not version:
        print(f"error: the baseline {baseline} is not named openapi-<version>.json", file=sys.stderr)
        return 2
    version = version[1]
    announcements, malformed = read_announcements(Path(breaking_md), version)
    if malformed:
        print(f"error: lines of `## Since {version}` in {breaking_md} that are not "
              "- `METHOD /path` `fragment` — why:", file=sys.stderr)
        for line in malformed:
            print(f"  {line}", file=sys.stderr)
        return 2

    env = dict(os.environ, OPTIC_TELEMETRY_LEVEL="off", NO_COLOR="1", FORCE_COLOR="0")
    started = time.monotonic()
    run = subprocess.run(
        [optic, "diff", baseline, head, "--check", "--standard", str(Path(__file__).with_name("optic.yml"))],
        env=env, capture_output=True, text=True, timeout=900,
    )
    took = time.monotonic() - started
    report = run.stdout + run.stderr
    Path(out, "optic-report.txt").write_text(report, encoding="utf-8")
    changes, stated = parse_report(report)
    if stated is None or stated != len(changes) or (run.returncode != 0) != bool(changes):
        print(f"error: could not read Optic's report (exit {run.returncode}, "
              f"{len(changes)} failures read, {stated} stated); its output:", file=sys.stderr)
        print(report, file=sys.stderr)
        return 2

    unannounced = []
    for change in changes:
        covering = [a for a in announcements if a.covers(change)]
        for a in covering:
            a.used += 1
        if not covering:
            unannounced.append(change)

    print(f"    {Path(head)} against release {version} ({Path(baseline)}): "
          f"{len(changes)} breaking changes, {len(changes) - len(unannounced)} announced "
          f"in {breaking_md}; Optic took {took:.0f} s; report {out}/optic-report.txt")
    for a in announcements:
        if not a.used:
            print(f"    note: {breaking_md}:{a.line} announces `{a.method} {a.path}` `{a.fragment}`, "
                  "which matches no breaking change (no longer needed?)")
    if not unannounced:
        return 0
    print(f"error: {len(unannounced)} breaking changes since release {version} are not announced "
          f"in {breaking_md} (section `## Since {version}`):", file=sys.stderr)
    by_operation: dict[str, list[Change]] = {}
    for change in unannounced:
        by_operation.setdefault(change.operation, []).append(change)
    for operation, found in by_operation.items():
        print(f"  {operation}", file=sys.stderr)
        for change in found:
            print(f"    {change.text()}", file=sys.stderr)
    print("Undo the change, or announce it with a line such as", file=sys.stderr)
    first = unannounced[0]
    fragment = first.message.split(". ")[0]
    print(f"  - `{first.operation}` `{fragment}` — why, and what clients do about it", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
