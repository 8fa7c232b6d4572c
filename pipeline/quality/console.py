"""The gate's result as a rich table: failing checks first, then a one-line count of the rest."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.quality.model import ERROR, GateReport, short

STYLE = {"failed": "bold red", "passed with warnings": "bold yellow", "passed": "bold green"}


def print_report(report: GateReport, console: Console, show_passed: bool = False) -> None:
    shown = [c for c in report.checks if show_passed or not c.passed]
    shown.sort(key=lambda c: (c.passed, c.severity != ERROR))
    if shown:
        table = Table(title=f"Quality gate: {report.dataset or ''} {report.version or ''}".strip(),
                      show_lines=False, expand=False)
        for column in ("", "severity", "check", "where", "observed", "what is wrong / example"):
            table.add_column(column, overflow="fold")
        for check in shown:
            mark = "[green]✓[/green]" if check.passed else ("[red]✗[/red]" if check.severity == ERROR
                                                            else "[yellow]![/yellow]")
            example = ""
            if check.examples:
                first = check.examples[0]
                example = f"\ne.g. doc {first.doc_id}: {first.value}" if first.doc_id else f"\ne.g. {first.value}"
            table.add_row(mark, check.severity, f"{check.category}/{check.name}", escape(check.where),
                          escape(short(check.observed, 24) or ""), escape(check.message + example))
        console.print(table)
    summary = report.summary()
    console.print(f"[{STYLE[report.status]}]{report.status}[/]: {summary['passed']}/{summary['checks']} checks "
                  f"passed, {summary['errors']} errors, {summary['warnings']} warnings "
                  f"(fail on: {report.fail_on}) — {escape(report.release)}")
