"""`make proof`: the short forms of every harness, then one table (`--long` runs the long forms; the soak
is a benchmark of its own, `python -m tests.proof.soak`)."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from tests.proof import abuse, crash_loop, fuzz, stress
from tests.proof.common import Report


def table(reports: list[Report]) -> str:
    def figure(report: Report, *names: str) -> str:
        return ", ".join(f"{report.figures[n]} {n}" for n in names if n in report.figures) or "-"

    rows = [("harness", "result", "figures", "failures", "seconds")]
    for report in reports:
        names = {
            "crash loop": (
                "kills survived",
                "messages verified",
                "publishes verified",
                "records verified",
                "entities verified",
            ),
            "fuzz": (
                "requests total",
                "operations",
                *sorted(k for k in report.figures if k.startswith("requests ")),
            ),
            "stress": ("clients", "messages verified", "records verified"),
            "abuse": ("abusive invokes", "mapping failures routed", "orphan processes"),
        }[report.name]
        shown = figure(report, *dict.fromkeys(names))
        rows.append(
            (
                report.name,
                "ok" if report.ok else "FAILED",
                shown,
                str(len(report.failures)),
                f"{report.seconds:.0f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
        for row in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="millpond-proof-"))
    reports = []
    try:
        for name, harness in (("crash", crash_loop), ("fuzz", fuzz), ("stress", stress), ("abuse", abuse)):
            tmp = root / name
            tmp.mkdir()
            report = harness.run(tmp, args.long)
            print(report.summary(), flush=True)
            reports.append(report)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print()
    print(table(reports))
    raise SystemExit(0 if all(r.ok for r in reports) else 1)


if __name__ == "__main__":
    main()
