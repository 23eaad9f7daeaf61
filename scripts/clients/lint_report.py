"""Prints `redocly lint --format json` findings one per line; fails on any error or warning.

usage: lint_report.py REPORT_JSON
"""

import json
import sys


def main() -> int:
    report = json.load(open(sys.argv[1], encoding="utf-8"))
    totals = report["totals"]
    for problem in report["problems"]:
        if problem.get("ignored"):
            continue
        where = ", ".join(f"{loc['pointer']} (line {loc.get('start', {}).get('line', '?')})" for loc in problem["location"])
        print(f"  {problem['severity']:5} {problem['ruleId']}: {problem['message']} at {where}", file=sys.stderr)
    summary = f"{totals['errors']} errors, {totals['warnings']} warnings, {totals['ignored']} ignored (.redocly.lint-ignore.yaml)"
    if totals["errors"] or totals["warnings"]:
        print(f"error: redocly lint (recommended): {summary}", file=sys.stderr)
        return 1
    print(f"    redocly lint (recommended): {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
