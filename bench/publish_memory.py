"""Peak RSS of the publish step alone, by phase, from the shards a benchmark build left behind.

Run: .venv/bin/python bench/publish_memory.py WORK_DIR OUT [SETTINGS_JSON] [CUTOFF]
WORK_DIR is a build's `broadsheet/.work`; markers written after CUTOFF (a Unix time, e.g. the first
release's manifest mtime) belong to a later incremental run and are left out. The inputs are rebuilt from
the shard markers, so the corpus itself need not exist any more.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pipeline.publish.release as release  # noqa: E402
import pipeline.quality.publish_gate as publish_gate  # noqa: E402
from pipeline.config import BuildConfig  # noqa: E402
from pipeline.shards import _SUMMARY_FIELDS, DONE_MARKER, ShardSummary  # noqa: E402
from pipeline.sources.discover import InputFile  # noqa: E402

PHASES = [(release, "plan_duplicates"), (release, "per_file_books"), (release, "describe_files"),
          (release, "carried_forward"), (release, "diff_against_parent"), (publish_gate, "gate_staging")]


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


def main() -> None:
    work, out = Path(sys.argv[1]), Path(sys.argv[2])
    settings = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    cutoff = float(sys.argv[4]) if len(sys.argv) > 4 else float("inf")
    phase, peaks = ["load"], {}

    def sample() -> None:
        while True:
            peaks[phase[0]] = max(peaks.get(phase[0], 0.0), rss_mb())
            time.sleep(0.05)

    def marked(function, name):
        def wrapper(*args, **kwargs):
            previous, phase[0] = phase[0], name
            try:
                return function(*args, **kwargs)
            finally:
                phase[0] = previous
        return wrapper

    for module, name in PHASES:
        if hasattr(module, name):
            setattr(module, name, marked(getattr(module, name), name))
    threading.Thread(target=sample, daemon=True).start()
    summaries, inputs = [], []
    for marker in sorted(work.glob(f"shard-*/{DONE_MARKER}")):
        if marker.stat().st_mtime > cutoff:
            continue
        done = json.loads(marker.read_text())
        summary = ShardSummary(**{k: v for k, v in done.items() if k in _SUMMARY_FIELDS})
        summary.folder = str(marker.parent)
        summaries.append(summary)
        inputs += [InputFile(f"/gone/{path}", path, 0, digest) for path, digest in done["files"].items()]
    print(f"{len(summaries)} shards, {len(inputs)} inputs", flush=True)
    phase[0] = "write parts"
    started = time.perf_counter()
    result = release.publish_release(summaries, str(out), BuildConfig.from_dict(settings), inputs)
    print(f"{result.message} in {time.perf_counter() - started:.1f} s")
    time.sleep(0.2)
    print("peak RSS by phase (MB):", {name: round(value) for name, value in peaks.items()},
          "maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)


if __name__ == "__main__":
    main()
