"""Deterministic synthetic corpora from the BBC articles, for benchmarks at any size.

Document i mixes the paragraphs of three BBC articles (chosen by a hash of i), under the headline of the
first: every document is distinct and no two share more than a third of their text, so neither exact
nor near-duplicate detection removes them, and the text stays real English news prose.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

BBC = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "bbc-news"


def load_articles(root: Path = BBC) -> list[tuple[str, list[str]]]:
    articles = []
    for path in sorted(root.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) >= 3:
            articles.append((lines[0], lines[1:]))
    return articles


def make_document(articles: list[tuple[str, list[str]]], i: int) -> str:
    n = len(articles)
    picks = [articles[int(hashlib.sha256(f"{i}:{k}".encode()).hexdigest()[:12], 16) % n] for k in range(3)]
    title = picks[0][0]
    paragraphs = [p for round_ in range(max(len(a[1]) for a in picks)) for a in picks if round_ < len(a[1])
                  for p in [a[1][round_]]]
    return f"{title} ({i})\n\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, size: int, start: int = 0) -> Path:
    """Documents start..start+size-1, 1,000 to a sub-folder; existing files are left as they are."""
    articles = load_articles()
    for i in range(start, start + size):
        path = folder / f"{i // 1000:04d}" / f"doc-{i:07d}.txt"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(make_document(articles, i), encoding="utf-8")
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("size", type=int)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    write_corpus(args.folder, args.size, args.start)
