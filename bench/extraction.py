"""Article-extraction benchmark: F1, precision, recall and pages/s per input form, with a trafilatura baseline.

Metric (the benchmark's own, see its README): per page, `\\w+` tokens cut into 4-token shingles matched as
multisets; precision and recall are means over pages, F1 is computed from the two means.

    .venv/bin/python bench/extraction.py [--corpus ../shared/corpora/article-extraction-benchmark] [--worst 10]

Timings are the median of `--repeat` runs in one process (one core), with the cleaner's caches emptied
before each: pages/s by the wall clock, and by the process's CPU time (less sensitive to other jobs).
Broadsheet's rows time what a build does per input file: hash it, read and decode it (`read_text_file`)
and clean it (`Cleaner`); the trafilatura baseline gets the decoded page. The machine may be shared, so
compare the ratio against the baseline measured in the same run rather than absolute numbers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.clean import Cleaner, dates, lines  # noqa: E402
from pipeline.config import Limits  # noqa: E402
from pipeline.document import Document  # noqa: E402
from pipeline.sources.discover import InputFile  # noqa: E402
from pipeline.sources.text import read_text_file  # noqa: E402

_TOKEN = re.compile(r"\w+")


def shingles(text: str, size: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + size]) for i in range(max(1, len(tokens) - size + 1)) if tokens[i:i + size])


def page_counts(predicted: str, expected: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingle multisets, normalised by their sum so long pages weigh no more than short ones."""
    got, want = shingles(predicted), shingles(expected)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))


def _recall(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))


def page_scores(predicted: str, expected: str) -> tuple[float, float]:
    counts = page_counts(predicted, expected)
    return _precision(*counts), _recall(*counts)


def _clear_caches() -> None:
    """Empty the cleaner's memo caches, so that no run is helped by the one before it."""
    for module in (lines, dates):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def evaluate(name: str, pages: dict[str, object], gold: dict[str, str], extract: Callable[[object], str],
             repeat: int = 1) -> dict:
    timings, cpu = [], []
    for _ in range(max(1, repeat)):
        _clear_caches()
        started, started_cpu = time.perf_counter(), time.process_time()
        predictions = {key: extract(page) for key, page in pages.items()}
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    counts = {key: page_counts(predictions[key], gold[key]) for key in pages}
    per_page = {key: (_precision(*c), _recall(*c)) for key, c in counts.items()}
    with_pred = [per_page[k][0] for k, (tp, fp, _) in counts.items() if tp + fp > 0]
    with_gold = [per_page[k][1] for k, (tp, _, fn) in counts.items() if tp + fn > 0]
    precision = sum(with_pred) / max(1, len(with_pred))
    recall = sum(with_gold) / max(1, len(with_gold))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    rates = sorted(len(pages) / seconds for seconds in timings)
    return {"name": name, "f1": f1, "precision": precision, "recall": recall, "pages": len(pages),
            "pages_per_s": statistics.median(rates), "pages_per_s_range": [rates[0], rates[-1]],
            "cpu_pages_per_s": len(pages) / statistics.median(cpu), "runs": len(rates), "per_page": per_page}


def trafilatura_alone(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


_LIMITS = Limits()
_CLEANER = Cleaner(_LIMITS)


def as_built(path: Path, input_format: str) -> str:
    """What a build makes of one input file: hash, read, decode and clean it (text, or "" if rejected)."""
    item = InputFile.from_path(path, path.parent)
    doc = next(read_text_file(item, _LIMITS, input_format))
    result = _CLEANER.process(doc) if isinstance(doc, Document) else doc
    return result.text if isinstance(result, Document) else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpora/article-extraction-benchmark")
    parser.add_argument("--worst", type=int, default=8, help="rows of the per-page table of worst pages")
    parser.add_argument("--json", type=Path, help="also write the summary figures here")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per method (the median is shown)")
    parser.add_argument("--forms", default="html,dumps", help="input forms to measure (html, dumps or both)")
    args = parser.parse_args()

    truth = json.loads((args.corpus / "ground-truth.json").read_text())
    gold = {key: value["articleBody"] for key, value in truth.items()}
    html_files = {key: args.corpus / "html" / f"{key}.html.gz" for key in sorted(gold)}
    dump_files = {key: args.corpus / "dumps" / f"{key}.txt" for key in sorted(gold)}
    html = {key: gzip.decompress(path.read_bytes()).decode("utf-8") for key, path in html_files.items()}
    dumps = {key: path.read_text(encoding="utf-8") for key, path in dump_files.items()}

    first = next(iter(gold))  # warm up imports and models outside the timings
    results = []
    if "html" in args.forms:
        trafilatura_alone(html[first])
        as_built(html_files[first], "html")
        results += [
            evaluate("html: trafilatura 2.3.1 alone (baseline)", html, gold, trafilatura_alone, args.repeat),
            evaluate("html: broadsheet (read + clean)", html_files, gold, lambda path: as_built(path, "html"),
                     args.repeat),
        ]
    if "dumps" in args.forms:
        as_built(dump_files[first], "dump")
        results += [
            evaluate("dumps: raw dump (baseline)", dumps, gold, lambda text: text),
            evaluate("dumps: broadsheet (read + clean)", dump_files, gold, lambda path: as_built(path, "dump"),
                     args.repeat),
        ]
    print(f"{'method':44} {'F1':>6} {'P':>6} {'R':>6} {'pages/s':>8} {'CPU':>8}   (medians of {args.repeat} runs; "
          f"wall min-max)")
    for r in results:
        low, high = r["pages_per_s_range"]
        speed = (f"{r['pages_per_s']:8.1f} {r['cpu_pages_per_s']:8.1f}   ({low:.1f}-{high:.1f})" if r["runs"] > 1
                 else f"{'-':>8} {'-':>8}")
        print(f"{r['name']:44} {r['f1']:6.3f} {r['precision']:6.3f} {r['recall']:6.3f} {speed}")
    if "html" in args.forms:
        baseline, ours = results[0], results[1]
        print(f"\nhtml throughput ratio broadsheet / trafilatura: {ours['pages_per_s'] / baseline['pages_per_s']:.2f}")
    for r in (r for r in results if "broadsheet" in r["name"]):
        print(f"\nworst pages, {r['name']}:")
        print(f"  {'page':18} {'F1':>6} {'P':>6} {'R':>6}")
        ranked = sorted(r["per_page"].items(), key=lambda kv: _f1(*kv[1]))[:args.worst]
        for key, (p, rec) in ranked:
            print(f"  {key[:16]:18} {_f1(p, rec):6.3f} {p:6.3f} {rec:6.3f}")
    if args.json:
        summary = [{k: v for k, v in r.items() if k != "per_page"} for r in results]
        args.json.write_text(json.dumps(summary, indent=2) + "\n")


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


if __name__ == "__main__":
    main()
