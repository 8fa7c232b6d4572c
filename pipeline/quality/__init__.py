"""The quality gate: validate a release (contracts, integrity, manifest, dataset rules) and report it."""

from pipeline.quality.gate import run_gate
from pipeline.quality.model import CheckResult, GateError, GateReport

__all__ = ["CheckResult", "GateError", "GateReport", "run_gate"]
