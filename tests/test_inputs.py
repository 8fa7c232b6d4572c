"""Every input form builds a release from real pages: HTML (.html.gz), page dumps, WARC, JSONL/CSV/Parquet."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
from pathlib import Path

import fsspec
import pyarrow as arrow
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.build import build
from pipeline.config import BuildConfig
from pipeline.sources.formats import detect_format

from .conftest import SHARED, need_shared

BENCH = SHARED / "corpora" / "article-extraction-benchmark"
BBC = SHARED / "corpora" / "bbc-news"


def bench_pages(n: int) -> list[Path]:
    return sorted(need_shared(BENCH / "html").glob("*.html.gz"))[:n]


def tables(result) -> dict[str, object]:
    assert result.published, result.message
    counts = result.counts
    assert counts["inputs"] == counts["published"] + counts["quarantined"] + counts["duplicates"]
    return {name: pq.read_table(Path(result.path) / name).to_pandas()
            for name in ("documents", "quarantine", "duplicates")}


def test_folder_of_gzipped_html_pages(tmp_path):
    folder = tmp_path / "html"
    folder.mkdir()
    for page in bench_pages(4):
        shutil.copy(page, folder)
    truth = json.loads((BENCH / "ground-truth.json").read_text())
    docs = tables(build([str(folder)], str(tmp_path / "out")))["documents"].set_index("source_path")
    assert len(docs) == 4
    for page in bench_pages(4):
        row = docs.loc[page.name]
        gold = truth[page.name.removesuffix(".html.gz")]
        assert row["extraction_method"].startswith("trafilatura")
        assert row["url"] == gold["url"]
        assert row["title"] and row["published_date"] and row["site_name"]
        first_words = " ".join(gold["articleBody"].split()[:8])
        assert first_words in " ".join(row["text"].split())
    assert list(docs.loc[bench_pages(1)[0].name, "authors"]) == ["Sarah E Needleman"]


def test_pages_without_an_article_are_quarantined_as_no_article(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(bench_pages(1)[0], folder)
    (folder / "empty-body.html").write_text("<html><head><title>Home</title></head><body></body></html>")
    (folder / "404.html").write_text("<html><head><title>404 Not Found</title></head><body><h1>Page not found"
                                     "</h1><p>Sorry, this page does not exist.</p></body></html>")
    links = "".join(f'<li><a href="/story/{i}">Story number {i}</a></li>' for i in range(40))
    (folder / "index.htm").write_text(f"<html><head><title>News</title></head><body><ul>{links}</ul></body></html>")
    out = tables(build([str(folder)], str(tmp_path / "out")))
    assert len(out["documents"]) == 1
    reasons = dict(zip(out["quarantine"]["source_path"], out["quarantine"]["reason"], strict=True))
    assert reasons == {"empty-body.html": "no_article", "404.html": "no_article", "index.htm": "no_article"}


def test_folder_of_page_dumps_is_cleaned(tmp_path):
    folder = tmp_path / "dumps"
    folder.mkdir()
    for page in sorted(need_shared(BENCH / "dumps").glob("*.txt"))[:4]:
        shutil.copy(page, folder)
    out = tables(build([str(folder)], str(tmp_path / "out")))
    docs = out["documents"]
    assert len(docs) == 4 and set(docs["extraction_method"]) == {"page_dump"}
    for text, source in zip(docs["text"], docs["source_path"], strict=True):
        raw = (folder / source).read_text(encoding="utf-8")
        assert len(text) < 0.8 * len(raw)  # chrome went
        assert "Privacy Policy" not in text


def make_warc(path: Path, pages: list[Path]) -> list[bytes]:
    payloads = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "broadsheet tests"}))
        for number, page in enumerate(pages):
            payload = gzip.decompress(page.read_bytes())
            payloads.append(payload)
            url = f"https://news.example/{number}"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            request = io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
            writer.write_record(writer.create_warc_record(url, "request", payload=request))
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                          http_headers=http))
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://news.example/logo.png", "response",
                                                      payload=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(64)),
                                                      http_headers=image))
        missing = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://news.example/gone", "response",
                                                      payload=io.BytesIO(b"<html><body>Not found</body></html>"),
                                                      http_headers=missing))
    return payloads


def test_warc_html_responses_become_documents_and_the_rest_is_accounted_for(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    payloads = make_warc(warc, bench_pages(3))
    out = tables(build([str(warc)], str(tmp_path / "out")))
    docs = out["documents"].set_index("doc_id")
    assert len(docs) == 3
    for number, payload in enumerate(payloads):
        row = docs.loc[hashlib.sha256(payload).hexdigest()[:16]]
        assert row["url"] == f"https://news.example/{number}"  # the record's target URI
        assert row["source_path"].startswith("crawl.warc.gz#record-")
        assert row["published_date"]
    quarantine = out["quarantine"].set_index("reason")
    assert quarantine.loc["not_html", "detail"].endswith("content type 'image/png' is not HTML")
    assert "HTTP status 404" in quarantine.loc["no_article", "detail"]
    assert len(out["quarantine"]) == 2  # warcinfo and request records are not inputs


def test_warc_date_is_used_when_the_page_has_none(tmp_path):
    warc = tmp_path / "one.warc"
    body = "<html><body><article>" + "".join(
        f"<p>Paragraph {i} of a story about river levels, which rose again on Tuesday after heavy rain.</p>"
        for i in range(8)) + "</article></body></html>"
    with open(warc, "wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record("https://news.example/river", "response",
                                           payload=io.BytesIO(body.encode()), http_headers=http)
        record.rec_headers.replace_header("WARC-Date", "2021-03-04T05:06:07Z")
        writer.write_record(record)
    docs = tables(build([str(warc)], str(tmp_path / "out")))["documents"]
    assert docs["published_date"].tolist() == ["2021-03-04"]
    assert docs["text"][0].startswith("Paragraph 0 of a story about river levels")


def bbc_rows(n: int) -> list[dict]:
    rows = []
    for path in sorted(need_shared(BBC / "business").glob("*.txt"))[:n]:
        title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
        rows.append({"headline": title.strip(), "body": body.strip(), "link": f"https://bbc.example/{path.stem}",
                     "when": "2005-02-01"})
    return rows


def test_jsonl_collection_with_configured_columns_and_a_bad_line(tmp_path):
    rows = bbc_rows(5)
    lines = [json.dumps(row) for row in rows]
    lines.insert(2, '{"headline": "broken", "body": ')  # malformed line 3
    lines.append(json.dumps({"headline": "no body here"}))
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(lines) + "\n")
    config = BuildConfig(text_column="body", title_column="headline", url_column="link", date_column="when")
    out = tables(build([str(path)], str(tmp_path / "out"), config))
    docs = out["documents"].set_index("source_path")
    assert sorted(docs.index) == ["news.jsonl#L1", "news.jsonl#L2", "news.jsonl#L4", "news.jsonl#L5",
                                  "news.jsonl#L6"]
    assert docs.loc["news.jsonl#L1", "title"] == rows[0]["headline"]
    assert docs.loc["news.jsonl#L1", "url"] == rows[0]["link"]
    assert docs.loc["news.jsonl#L1", "published_date"] == "2005-02-01"
    assert docs.loc["news.jsonl#L1", "doc_id"] == hashlib.sha256(rows[0]["body"].encode()).hexdigest()[:16]
    reasons = dict(zip(out["quarantine"]["source_path"], out["quarantine"]["reason"], strict=True))
    assert reasons == {"news.jsonl#L3": "malformed_record", "news.jsonl#L7": "missing_text"}


def test_csv_and_parquet_collections_use_default_column_names(tmp_path):
    rows = [{"title": r["headline"], "text": r["body"], "url": r["link"], "date": r["when"]} for r in bbc_rows(4)]
    html_row = {"title": None, "text": None, "url": "https://news.example/page", "date": None,
                "html": gzip.decompress(bench_pages(1)[0].read_bytes()).decode("utf-8")}
    import csv

    with open(tmp_path / "a.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:2])
    pq.write_table(arrow.Table.from_pylist([{**row, "html": None} for row in rows[2:]] + [html_row]),
                   tmp_path / "b.parquet")
    docs = tables(build([str(tmp_path)], str(tmp_path / "out")))["documents"].set_index("source_path")
    assert sorted(docs.index) == ["a.csv#row-1", "a.csv#row-2", "b.parquet#row-1", "b.parquet#row-2",
                                  "b.parquet#row-3"]
    assert docs.loc["a.csv#row-2", "title"] == rows[1]["title"]
    assert docs.loc["b.parquet#row-1", "text"].split("\n\n")[0] == " ".join(rows[2]["text"].split("\n")[0].split())
    assert docs.loc["b.parquet#row-3", "extraction_method"].startswith("trafilatura")
    assert docs.loc["b.parquet#row-3", "url"] == "https://news.example/page"


def test_fsspec_urls_are_inputs(tmp_path):
    memory = fsspec.filesystem("memory")
    page = bench_pages(1)[0]
    memory.pipe("/broadsheet-test/in/page.html.gz", page.read_bytes())
    memory.pipe("/broadsheet-test/in/.hidden.txt", b"skipped")
    try:
        docs = tables(build(["memory://broadsheet-test/in"], str(tmp_path / "out")))["documents"]
    finally:
        memory.rm("/broadsheet-test", recursive=True)
    assert docs["source_path"].tolist() == ["page.html.gz"]
    local = tables(build([page.resolve().as_uri()], str(tmp_path / "out2")))["documents"]
    assert local["doc_id"].tolist() == docs["doc_id"].tolist()


@pytest.mark.parametrize(("name", "head", "expected"), [
    ("a.html.gz", b"", "html"), ("crawl.warc.gz", b"", "warc"), ("x.TXT", b"", "text"),
    ("rows.ndjson", b"", "jsonl"), ("noext", b"WARC/1.1\r\n", "warc"), ("noext", b"PAR1", "parquet"),
    ("noext", b"<!DOCTYPE html><html>", "html"), ("noext", b'{"text": "x"}\n', "jsonl"),
    ("noext", b"Just a headline\n\nAnd a body.", "text"),
])
def test_format_detection(name, head, expected):
    assert detect_format(name, head) == expected


def test_forced_format_overrides_detection(tmp_path):
    path = tmp_path / "page.txt"
    path.write_bytes(gzip.decompress(bench_pages(1)[0].read_bytes()))
    docs = tables(build([str(path)], str(tmp_path / "out"), BuildConfig(input_format="html")))["documents"]
    assert docs["extraction_method"][0].startswith("trafilatura")
    with pytest.raises(ValueError, match="unknown input format 'pdf'"):
        detect_format("a.pdf", b"", "pdf")


def test_the_broadsheet_command_builds_every_input_form(tmp_path):
    """`broadsheet build` (the Prefect flow, as a user runs it) on a folder of .html.gz pages, a folder of
    page dumps, a .warc.gz and a .jsonl at once: every form's articles are in the one release it writes."""
    import subprocess
    import sys

    from .conftest import ROOT

    html = tmp_path / "html"
    html.mkdir()
    for page in bench_pages(2):
        shutil.copy(page, html)
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    for page in sorted(need_shared(BENCH / "dumps").glob("*.txt"))[4:6]:  # (other articles: no duplicates)
        shutil.copy(page, dumps)
    make_warc(tmp_path / "crawl.warc.gz", bench_pages(4)[2:])
    bbc = sorted(need_shared(BBC / "sport").glob("*.txt"))[:2]
    (tmp_path / "feed.jsonl").write_text("".join(json.dumps({"text": p.read_text(errors="replace")}) + "\n"
                                                 for p in bbc))
    proc = subprocess.run(
        [sys.executable, "-m", "flows", "build", str(html), str(dumps), str(tmp_path / "crawl.warc.gz"),
         str(tmp_path / "feed.jsonl"), "--output", str(tmp_path / "out")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    docs = pq.read_table(tmp_path / "out" / "broadsheet" / "0.1.0" / "documents").to_pandas()
    paths = sorted(docs["source_path"])
    assert len(docs) == 8, paths
    assert sum(path.endswith(".html.gz") for path in paths) == 2
    assert sum(path.endswith(".txt") for path in paths) == 2
    assert sum("crawl.warc.gz#record-" in path for path in paths) == 2
    assert sum("feed.jsonl#L" in path for path in paths) == 2
