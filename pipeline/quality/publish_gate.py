"""The gate inside the build: write, audit, publish. A staging folder that fails is not published; it is
kept, with its reports, under `<dataset>/.rejected/` so a person can see exactly what was wrong."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.quality.gate import run_gate
from pipeline.quality.html import write_html
from pipeline.quality.model import GateReport
from pipeline.quality.reports import write_json

CONFIG_ENV = "BROADSHEET_QUALITY_CONFIG"  # rule thresholds for the build's gate (default: package rules)
REJECTED = ".rejected"
REPORT_JSON, REPORT_HTML = "quality-report.json", "quality-report.html"


class ReleaseRejectedError(RuntimeError):
    """The quality gate failed: nothing was published and `latest` did not move."""

    def __init__(self, message: str, rejected_dir: str = ""):
        super().__init__(message, rejected_dir)
        self.rejected_dir = rejected_dir

    def __str__(self) -> str:
        return str(self.args[0])


def gate_staging(staging: Path, dataset_dir: Path, version: str, trusted: set[str] | None = None) -> GateReport:
    """Run the gate on a complete staging folder; on failure move it to `.rejected/<version>-<id>/`, write
    the JSON and HTML reports there, and raise `ReleaseRejectedError`.

    `trusted`: sha256 of files the parent release published and that the same code already checked; a part
    made only of such files is not checked row by row again (dataset rules still see all of it)."""
    report = run_gate(staging, os.environ.get(CONFIG_ENV) or None, trusted=trusted)
    if not report.failed:
        return report
    rejected = dataset_dir / REJECTED / f"{version}-{staging.name.removeprefix('.staging-')}"
    rejected.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging, rejected)
    report.release = str(rejected)
    write_json(report, rejected / REPORT_JSON)
    html = write_html(report, rejected / REPORT_HTML)
    raise ReleaseRejectedError(f"release {version} was not published (latest is unchanged): {report.headline()}\n"
                               f"report: {html}", str(rejected))
