"""Plain articles without chrome (BBC corpus: headline, then body) come through the dump cleaner whole."""

from __future__ import annotations

from pipeline.clean.page_dump import clean_page_dump
from pipeline.clean.unicode import normalise_line, repair

from .conftest import SHARED, need_shared


def test_bbc_sample_keeps_title_and_every_body_line():
    files = sorted(need_shared(SHARED / "corpora" / "bbc-news").glob("*/*.txt"))[::5]
    assert len(files) > 400
    damaged = []
    for path in files:
        raw = path.read_bytes().decode("utf-8", errors="replace")
        lines = [normalise_line(line) for line in repair(raw).split("\n") if line.strip()]
        page = clean_page_dump(raw)
        if page.title != lines[0] or page.paragraphs != lines[1:]:
            damaged.append(path.relative_to(path.parents[1]).as_posix())
    # A handful of match reports (team line-ups in the body) read like page chrome; nothing else may be cut.
    assert len(damaged) <= len(files) // 100, damaged
