"""Imports every module of a generated package, with warnings as errors; lists every failure.

usage: python -W error import_all.py PACKAGE   (the package's parent directory on PYTHONPATH)
"""

import importlib
import pkgutil
import sys
import traceback


def main() -> int:
    root = sys.argv[1]
    failed: list[str] = []
    count = 0
    try:
        package = importlib.import_module(root)
        count += 1
    except Exception:  # noqa: BLE001 - every failure is reported
        print(f"error: cannot import {root}:\n{traceback.format_exc()}", file=sys.stderr)
        return 1
    for info in pkgutil.walk_packages(package.__path__, root + "."):
        try:
            importlib.import_module(info.name)
            count += 1
        except Exception as e:  # noqa: BLE001 - every failure is reported
            origin = traceback.extract_tb(e.__traceback__)[-1]
            failed.append(f"  {info.name}: {type(e).__name__}: {e} ({origin.filename}:{origin.lineno})")
    if failed:
        print(f"error: {len(failed)} of {count + len(failed)} generated modules fail to import:", file=sys.stderr)
        print("\n".join(failed), file=sys.stderr)
        return 1
    print(f"    {count} modules of {root} imported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
