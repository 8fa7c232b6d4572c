"""Throughput of whole builds: documents/s, MB/s, peak RSS, time per stage, Prefect's share, incremental cost.

For each size: a synthetic corpus (bench/corpus.py), then, each as its own process under /usr/bin/time -v:
  1. the library build (pipeline.build.build, process pool of --workers): the baseline without Prefect;
  2. the same build through the CLI (Prefect flow in local mode, same number of workers);
  3. an incremental CLI build after adding 1% new documents.
Prefect's share = (CLI wall - library wall) / CLI wall, both full builds of the same corpus; the same with
CPU seconds (the whole process tree) as a check that holds when something else shares the machine.
Run: .venv/bin/python bench/throughput.py --sizes 10000 100000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.corpus import write_corpus  # noqa: E402

LIBRARY_BUILD = """
import sys, yaml
from pipeline.build import build
from pipeline.config import BuildConfig
settings = yaml.safe_load(open(sys.argv[5])) if len(sys.argv) > 5 else {}
config = BuildConfig.from_dict({**settings, "shard_size": int(sys.argv[3])})
r = build([sys.argv[1]], sys.argv[2], config, workers=int(sys.argv[4]))
print(r.message)
"""
# `--light`: NER, quotes and YAKE keywords off (they dominate the cost: bench/enrich.py gives their rates).
LIGHT_SETTINGS = "enrich:\n  entities: false\n  quotes: false\n  keywords: false\n"


def timed(command: list[str]) -> dict:
    """Wall seconds, CPU seconds and peak RSS (largest process of the tree, from GNU time) of one command."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *command], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)[1])
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", proc.stderr)[1]) for kind in ("User", "System"))
    # CPU seconds of the whole tree (workers and Prefect's server included): a load-independent companion
    # to the wall time when the machine is shared.
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 1), "peak_rss_mb": round(rss_kb / 1024, 1)}


def stage_seconds(work_dir: Path) -> dict[str, float]:
    totals: dict[str, float] = {}
    for marker in work_dir.glob("shard-*/_SUCCESS.json"):
        for stage, seconds in json.loads(marker.read_text()).get("seconds", {}).items():
            totals[stage] = totals.get(stage, 0.0) + seconds
    return {stage: round(value, 2) for stage, value in sorted(totals.items())}


def corpus_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*.txt")) / 1e6


def run_size(size: int, workers: int, shard_size: int, out: Path, library: bool, light: bool = False,
             flow: bool = True) -> dict:
    corpus = write_corpus(out / f"corpus-{size}", size)
    mb = corpus_mb(corpus)
    result: dict = {"documents": size, "input_mb": round(mb, 1), "workers": workers, "shard_size": shard_size,
                    "ner_and_quotes": not light}
    cli = [str(ROOT / ".venv" / "bin" / "broadsheet"), "build", str(corpus), "--shard-size", str(shard_size),
           "--workers", str(workers)]
    settings: list[str] = []
    if light:
        config = out / "light.yaml"
        config.write_text(LIGHT_SETTINGS)
        cli += ["--config", str(config)]
        settings = [str(config)]
    if library:
        lib_out = out / f"lib-{size}"
        shutil.rmtree(lib_out, ignore_errors=True)
        result["library"] = timed([sys.executable, "-c", LIBRARY_BUILD, str(corpus), str(lib_out),
                                   str(shard_size), str(workers), *settings])
        result["stage_cpu_seconds"] = stage_seconds(lib_out / "broadsheet" / ".work")
    if not flow:
        shutil.rmtree(corpus)
        return result
    flow_out = out / f"flow-{size}"
    shutil.rmtree(flow_out, ignore_errors=True)
    full = timed([*cli, "--output", str(flow_out)])
    full["docs_per_s"] = round(size / full["wall_s"], 1)
    full["mb_per_s"] = round(mb / full["wall_s"], 2)
    result["flow_full"] = full
    if library:
        result["prefect_share"] = round((full["wall_s"] - result["library"]["wall_s"]) / full["wall_s"], 3)
        result["prefect_share_of_cpu"] = round((full["cpu_s"] - result["library"]["cpu_s"]) / full["cpu_s"], 3)
    write_corpus(corpus, size // 100, start=size)  # 1% new documents
    incremental = timed([*cli, "--output", str(flow_out)])
    incremental["ratio_to_full"] = round(incremental["wall_s"] / full["wall_s"], 3)
    result["flow_incremental_1pct"] = incremental
    shutil.rmtree(corpus)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shard-size", type=int, default=500)
    parser.add_argument("--no-library", action="store_true", help="skip the library baseline (Prefect share)")
    parser.add_argument("--library-only", action="store_true",
                        help="only the library baseline (to re-measure it when the paired run was disturbed)")
    parser.add_argument("--light", action="store_true",
                        help="NER, quotes and keywords off (see bench/enrich.py for their rates)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        result = run_size(size, args.workers, args.shard_size, args.out, not args.no_library, args.light,
                          flow=not args.library_only)
        print(json.dumps(result), flush=True)
        results.append(result)
    name = ("throughput-light" if args.light else "throughput") + ("-library" if args.library_only else "") + ".json"
    (args.out / name).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
