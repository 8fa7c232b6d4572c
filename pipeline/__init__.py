"""Broadsheet's library: plain Python over Arrow tables, no orchestration.

Every stage (sources, clean, segment, validate, publish) can be called from a script,
a notebook or a Prefect task alike; `flows/` only schedules these calls.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("broadsheet")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"


def __getattr__(name: str):
    """`pipeline.load_release` without importing `datasets` for every `import pipeline`."""
    if name == "load_release":
        from pipeline.publish.load import load_release

        return load_release
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
