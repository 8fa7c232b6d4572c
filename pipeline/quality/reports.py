"""Machine-readable reports of a gate run: JSON (every check, observed values, examples) and JUnit XML
(one test case per check; errors as failures, warnings as skipped, as CI test views expect)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from pipeline.quality.model import ERROR, GateReport


def write_json(report: GateReport, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def junit_xml(report: GateReport) -> str:
    root = ET.Element("testsuites", name="broadsheet-quality", tests=str(len(report.checks)),
                      failures=str(len(report.errors)), skipped=str(len(report.warnings)))
    categories = sorted({c.category for c in report.checks}, key=[c.category for c in report.checks].index)
    for category in categories:
        checks = [c for c in report.checks if c.category == category]
        suite = ET.SubElement(root, "testsuite", name=f"{report.dataset or 'release'}.{category}",
                              tests=str(len(checks)),
                              failures=str(sum(not c.passed and c.severity == ERROR for c in checks)),
                              skipped=str(sum(not c.passed and c.severity != ERROR for c in checks)))
        for check in checks:
            case = ET.SubElement(suite, "testcase", classname=f"broadsheet.{category}.{check.table or 'release'}",
                                 name=f"{check.name} [{check.where}]")
            if check.passed:
                continue
            detail = "\n".join(f"doc_id={e.doc_id} value={e.value}" for e in check.examples[:5])
            if check.severity == ERROR:
                failure = ET.SubElement(case, "failure", message=check.message, type=check.name)
                failure.text = detail or check.message
            else:
                ET.SubElement(case, "skipped", message=f"warning: {check.message}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(report: GateReport, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(junit_xml(report), encoding="utf-8")
    return path
