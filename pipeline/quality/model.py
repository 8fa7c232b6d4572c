"""What the gate reports: one `CheckResult` per check, gathered in a `GateReport` that knows its exit code.

Kept apart from the checks so the report writers (console, JSON, JUnit, HTML) depend only on this shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ERROR, WARN = "error", "warn"
SEVERITIES = (ERROR, WARN)
FAIL_ON = ("error", "warn", "never")
MAX_EXAMPLES = 5
MAX_VALUE_CHARS = 80

# Exit codes, as CI tools for data quality use them (Soda: 0 pass, 1 fail, 2 warnings, 3 could not run).
EXIT_PASSED, EXIT_FAILED, EXIT_WARNINGS, EXIT_NOT_RUN = 0, 1, 2, 3


class GateError(Exception):
    """The gate could not run (unreadable release or config): exit code 3, the message names the file."""


def short(value: Any, limit: int = MAX_VALUE_CHARS) -> str | None:
    """A value for a report: never a whole text, so reports stay small and do not copy articles."""
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Example:
    """One failing record: which document, and the offending value (truncated)."""

    doc_id: str | None = None
    value: str | None = None
    row: int | None = None

    def __post_init__(self) -> None:
        self.value = short(self.value)


@dataclass
class CheckResult:
    name: str
    category: str  # contract | integrity | manifest | rule
    severity: str
    passed: bool
    message: str
    table: str | None = None
    column: str | None = None
    file: str | None = None
    observed: Any = None
    threshold: Any = None
    failures: int = 0
    examples: list[Example] = field(default_factory=list)

    @property
    def where(self) -> str:
        """`table.column`, `table`, or the file the check looked at."""
        place = f"{self.table}.{self.column}" if self.table and self.column else self.table
        if self.file and not (place and self.file.startswith(f"{self.table}/")):
            return f"{place} ({self.file})" if place else self.file
        return self.file or place or "release"

    def describe(self) -> str:
        state = "passed" if self.passed else ("FAILED" if self.severity == ERROR else "WARNING")
        return f"[{state}] {self.category}/{self.name} on {self.where}: {self.message}"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["examples"] = [asdict(e) for e in self.examples[:MAX_EXAMPLES]]
        data["where"] = self.where
        return data


@dataclass
class GateReport:
    release: str
    dataset: str | None
    version: str | None
    checks: list[CheckResult]
    fail_on: str = "error"
    config_path: str | None = None
    stats: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed and c.severity == ERROR]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed and c.severity == WARN]

    @property
    def exit_code(self) -> int:
        if self.fail_on == "error" and self.errors:
            return EXIT_FAILED
        if self.fail_on == "warn" and (self.errors or self.warnings):
            return EXIT_FAILED
        return EXIT_WARNINGS if (self.errors or self.warnings) else EXIT_PASSED

    @property
    def status(self) -> str:
        return {EXIT_PASSED: "passed", EXIT_FAILED: "failed", EXIT_WARNINGS: "passed with warnings"}[self.exit_code]

    @property
    def failed(self) -> bool:
        return self.exit_code == EXIT_FAILED

    def summary(self) -> dict:
        return {"checks": len(self.checks), "passed": sum(c.passed for c in self.checks),
                "errors": len(self.errors), "warnings": len(self.warnings)}

    def headline(self, limit: int = 5) -> str:
        """One paragraph for logs and exceptions: the status and the first failing checks."""
        s = self.summary()
        lines = [f"quality gate {self.status} for {self.release}: {s['errors']} errors, {s['warnings']} warnings, "
                 f"{s['passed']}/{s['checks']} checks passed"]
        failing = self.errors + self.warnings
        lines += [f"  {c.describe()}" for c in failing[:limit]]
        if len(failing) > limit:
            lines.append(f"  … and {len(failing) - limit} more")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"release": self.release, "dataset": self.dataset, "version": self.version,
                "status": self.status, "exit_code": self.exit_code, "fail_on": self.fail_on,
                "config": self.config_path, "summary": self.summary(),
                "checks": [c.to_dict() for c in self.checks], "stats": self.stats}
