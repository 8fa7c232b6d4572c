"""A static, offline HTML report: one file, inline CSS and SVG, no scripts, no links to fetch.

Failing checks come first with their examples (doc ids and truncated values, never whole texts); the
figures show what a person checks by eye: document lengths, languages, entities per document,
quarantine reasons, and the change from the previous version.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from pipeline.quality import svg
from pipeline.quality.model import ERROR, GateReport, short

CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.status{display:inline-block;padding:.2rem .6rem;border-radius:4px;color:#fff;font-weight:bold}
.failed{background:#b3261e}.warn{background:#a86b00}.passed{background:#2e7d32}
table{border-collapse:collapse;width:100%;font-size:.85rem}td,th{border-bottom:1px solid #eee;padding:.3rem;
text-align:left;vertical-align:top}tr.error td:first-child{border-left:4px solid #b3261e}
tr.warn td:first-child{border-left:4px solid #a86b00}tr.ok td:first-child{border-left:4px solid #2e7d32}
code{font-size:.8rem;background:#f4f4f4;padding:0 .2rem}.figs{display:flex;flex-wrap:wrap;gap:1.5rem}
figure{margin:0}figcaption{font-weight:bold;margin-bottom:.3rem}details{margin-top:1rem}
"""


def _status_class(report: GateReport) -> str:
    return {"failed": "failed", "passed with warnings": "warn", "passed": "passed"}[report.status]


def _rows(checks) -> str:
    rows = []
    for c in checks:
        kind = "ok" if c.passed else ("error" if c.severity == ERROR else "warn")
        state = "pass" if c.passed else ("FAIL" if c.severity == ERROR else "warn")
        examples = "".join(f"<li><code>{escape(e.doc_id or '-')}</code> {escape(e.value or '')}</li>"
                           for e in c.examples[:5])
        rows.append(f'<tr class="{kind}"><td>{state}</td><td>{escape(c.category)}/{escape(c.name)}</td>'
                    f"<td>{escape(c.where)}</td><td>{escape(short(c.observed, 40) or '')}</td>"
                    f"<td>{escape(c.message)}{f'<ul>{examples}</ul>' if examples else ''}</td></tr>")
    header = "<tr><th></th><th>check</th><th>where</th><th>observed</th><th>what is wrong / examples</th></tr>"
    return f"<table>{header}{''.join(rows)}</table>"


def _figures(stats: dict, version: str | None) -> str:
    figures = []

    def add(caption: str, chart: str) -> None:
        figures.append(f"<figure><figcaption>{escape(caption)}</figcaption>{chart}</figure>")

    if "document_lengths" in stats:
        add(f"Document length ({stats.get('documents', 0)} documents)",
            svg.histogram(stats["document_lengths"], "document length", "characters"))
    if "languages" in stats:
        add("Languages", svg.bar_chart(list(stats["languages"].items()), "documents per language"))
    if "entities_per_document" in stats:
        add("Entities per document", svg.histogram(stats["entities_per_document"], "entities per document",
                                                   "entities"))
    reasons = stats.get("quarantine_reasons") or {}
    add(f"Quarantine reasons ({sum(reasons.values())} records)",
        svg.bar_chart(list(reasons.items()), "quarantined inputs per reason") if reasons else
        "<p>Nothing was quarantined.</p>")
    previous = stats.get("previous")
    if previous:
        names = sorted(set(stats.get("rows", {})) | set(previous.get("rows", {})))
        items = [(n, previous["rows"].get(n), stats.get("rows", {}).get(n, 0)) for n in names]
        add(f"Rows per table: {previous.get('version')} → {version}",
            svg.paired_bars(items, "rows per table, previous and this version", str(previous.get("version")),
                            str(version)))
    else:
        add("Comparison with the previous version", "<p>No previous version to compare with.</p>")
    return f'<div class="figs">{"".join(figures)}</div>'


def render_html(report: GateReport) -> str:
    summary = report.summary()
    failing = [c for c in report.checks if not c.passed]
    failing.sort(key=lambda c: c.severity != ERROR)
    passed = [c for c in report.checks if c.passed]
    title = f"Quality report: {report.dataset or 'release'} {report.version or ''}".strip()
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body><h1>{escape(title)}</h1>
<p><span class="status {_status_class(report)}">{escape(report.status)}</span>
{summary['passed']}/{summary['checks']} checks passed, {summary['errors']} errors, {summary['warnings']} warnings
(fail on: {escape(report.fail_on)}).<br>Release: <code>{escape(report.release)}</code>
{f"· rules: <code>{escape(report.config_path)}</code>" if report.config_path else "· default rules"}</p>
<h2>Problems</h2>{_rows(failing) if failing else "<p>None: every check passed.</p>"}
<h2>Figures</h2>{_figures(report.stats, report.version)}
<details><summary>{len(passed)} passing checks</summary>{_rows(passed)}</details>
</body></html>
"""


def write_html(report: GateReport, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
