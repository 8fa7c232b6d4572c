"""Article-extraction benchmark: F1, precision, recall and pages/s per input form, with a trafilatura baseline.

Metric (the benchmark's own, see its README): per page, `\\w+` tokens cut into 4-token shingles matched as
multisets; precision and recall are means over pages, F1 is computed from the two means.

    .venv/bin/python bench/extraction.py [--corpus ../shared/corpora/article-extraction-benchmark] [--worst 10]

Timings are whole-process wall clock on one core (single process); the machine may be shared, so compare the
ratio against the baseline measured in the same run rather than absolute numbers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.clean.html import extract_html  # noqa: E402
from pipeline.clean.page_dump import clean_page_dump  # noqa: E402

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


def evaluate(name: str, pages: dict[str, object], gold: dict[str, str], extract: Callable[[object], str]) -> dict:
    predictions: dict[str, str] = {}
    started = time.perf_counter()
    for key, page in pages.items():
        predictions[key] = extract(page)
    elapsed = time.perf_counter() - started
    counts = {key: page_counts(predictions[key], gold[key]) for key in pages}
    per_page = {key: (_precision(*c), _recall(*c)) for key, c in counts.items()}
    with_pred = [per_page[k][0] for k, (tp, fp, _) in counts.items() if tp + fp > 0]
    with_gold = [per_page[k][1] for k, (tp, _, fn) in counts.items() if tp + fn > 0]
    precision = sum(with_pred) / max(1, len(with_pred))
    recall = sum(with_gold) / max(1, len(with_gold))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"name": name, "f1": f1, "precision": precision, "recall": recall, "pages": len(pages),
            "pages_per_s": len(pages) / elapsed, "per_page": per_page}


def trafilatura_alone(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def ours_html(html: str) -> str:
    page = extract_html(html)
    return "\n\n".join(page.paragraphs) if page else ""


def ours_dump(text: str) -> str:
    return "\n\n".join(clean_page_dump(text).paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpora/article-extraction-benchmark")
    parser.add_argument("--worst", type=int, default=8, help="rows of the per-page table of worst pages")
    parser.add_argument("--json", type=Path, help="also write the summary figures here")
    args = parser.parse_args()

    truth = json.loads((args.corpus / "ground-truth.json").read_text())
    gold = {key: value["articleBody"] for key, value in truth.items()}
    html = {key: gzip.decompress((args.corpus / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
            for key in sorted(gold)}
    dumps = {key: (args.corpus / "dumps" / f"{key}.txt").read_text(encoding="utf-8") for key in sorted(gold)}

    trafilatura_alone(html[next(iter(html))])  # warm up imports outside the timings
    ours_html(html[next(iter(html))])
    results = [
        evaluate("html: trafilatura 2.3.1 alone (baseline)", html, gold, trafilatura_alone),
        evaluate("html: broadsheet", html, gold, ours_html),
        evaluate("dumps: raw dump (baseline)", dumps, gold, lambda text: text),
        evaluate("dumps: broadsheet", dumps, gold, ours_dump),
    ]
    print(f"{'method':44} {'F1':>6} {'P':>6} {'R':>6} {'pages/s':>8}")
    for r in results:
        print(f"{r['name']:44} {r['f1']:6.3f} {r['precision']:6.3f} {r['recall']:6.3f} {r['pages_per_s']:8.1f}")
    baseline, ours = results[0], results[1]
    print(f"\nhtml throughput ratio broadsheet / trafilatura: {ours['pages_per_s'] / baseline['pages_per_s']:.2f}")
    for r in (results[1], results[3]):
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
