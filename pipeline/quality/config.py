"""The gate's rule thresholds: the YAML shipped with the package, overlaid with the user's file.

A bad file (unreadable, not YAML, unknown rule or key, wrong type) raises `GateError` naming the file and
the key, so CI stops with exit code 3 instead of silently validating with defaults.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import yaml

from pipeline.quality.model import SEVERITIES, GateError

DEFAULT_RULES = "rules.yaml"
_NUMBER = (int, float)
# rule -> key -> accepted types (None: null allowed)
PARAMS: dict[str, dict[str, tuple]] = {
    "duplicate_share": {"max_share": _NUMBER},
    "duplicate_texts": {"max_share": _NUMBER},
    "empty_documents": {"max_share": _NUMBER},
    "short_documents": {"min_chars": (int,), "max_share": _NUMBER},
    "language_share": {"expected": (list,), "min_share": _NUMBER},
    "published_dates": {"min_date": (str,), "max_future_days": (int,), "max_share": _NUMBER},
    "quarantine_share": {"max_share": _NUMBER},
    "row_count_change": {"max_drop": (*_NUMBER, type(None)), "max_growth": (*_NUMBER, type(None))},
}


def default_rules_text() -> str:
    return resources.files("pipeline.quality").joinpath(DEFAULT_RULES).read_text(encoding="utf-8")


def _parse(text: str, source: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise GateError(f"bad quality config {source}: not valid YAML ({error})") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("rules", {}), dict):
        raise GateError(f"bad quality config {source}: expected a mapping with a `rules:` mapping")
    unknown = set(data) - {"version", "rules"}
    if unknown:
        raise GateError(f"bad quality config {source}: unknown top-level key(s) {sorted(unknown)}")
    return data.get("rules") or {}


def _check_rule(name: str, rule, source: str) -> None:
    if name not in PARAMS:
        raise GateError(f"bad quality config {source}: unknown rule {name!r} (known: {', '.join(PARAMS)})")
    if not isinstance(rule, dict):
        raise GateError(f"bad quality config {source}: rules.{name} must be a mapping")
    for key, value in rule.items():
        if key == "severity":
            if value not in SEVERITIES:
                raise GateError(f"bad quality config {source}: rules.{name}.severity must be error or warn, "
                                f"not {value!r}")
        elif key == "enabled":
            if not isinstance(value, bool):
                raise GateError(f"bad quality config {source}: rules.{name}.enabled must be true or false")
        elif key not in PARAMS[name]:
            raise GateError(f"bad quality config {source}: unknown key rules.{name}.{key} "
                            f"(known: severity, enabled, {', '.join(PARAMS[name])})")
        elif not isinstance(value, PARAMS[name][key]) or isinstance(value, bool):
            raise GateError(f"bad quality config {source}: rules.{name}.{key} has the wrong type ({value!r})")
        elif key == "min_date":
            try:
                date.fromisoformat(value)
            except ValueError:
                raise GateError(f"bad quality config {source}: rules.{name}.min_date is not a YYYY-MM-DD date "
                                f"({value!r})") from None


def load_rules(path: str | Path | None = None) -> dict[str, dict]:
    """The default rules, with the file at `path` (if any) overlaid rule by rule, key by key."""
    rules = _parse(default_rules_text(), f"(package default {DEFAULT_RULES})")
    if path is not None:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise GateError(f"bad quality config {path}: cannot read it ({error})") from None
        for name, rule in _parse(text, str(path)).items():
            _check_rule(name, rule, str(path))
            rules[name] = {**rules.get(name, {}), **rule}
    for name, rule in rules.items():
        _check_rule(name, rule, str(path or DEFAULT_RULES))
        rule.setdefault("severity", "error")
        rule.setdefault("enabled", True)
    return rules
