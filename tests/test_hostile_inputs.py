"""Hostile inputs: one folder holding every kind of broken file a crawler or a user leaves behind, beside good
articles. The run succeeds, every good article is published, every bad record is quarantined with its own
reason, and the books balance per input file and in total, as manifest.json records them.

Decisions, as a user of a news corpus would expect them: text that was decoded wrongly once (mojibake), a file
whose lines are in two encodings, and UTF-8 with a stray invalid byte are published, repaired (the invalid
byte becomes U+FFFD and `documents.encoding` says `utf-8+replaced`); NUL bytes inside text mean a corrupt
file and are quarantined; HTML nested deeper than the parser reads is quarantined rather than read in part.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.build import build
from pipeline.config import Limits
from pipeline.sources import discover_inputs, read_input

from .conftest import ROOT, SHARED, light, need_shared

BBC = SHARED / "corpora" / "bbc-news" / "business"
LIMITS = Limits(max_decompressed_bytes=8_000_000)  # the bomb inflates to 64 MB; the default limit is 200 MB
CONFIG_YAML = ("enrich: {entities: false, quotes: false, keywords: false}\n"
               f"limits: {{max_decompressed_bytes: {LIMITS.max_decompressed_bytes}}}\n")
HUGE_BYTES = 100 * 2**20


def article(number: int) -> str:
    return need_shared(BBC / f"{number:03d}.txt").read_text(encoding="utf-8")


def html_page(text: str) -> str:
    title, _, body = text.partition("\n")
    paragraphs = "".join(f"<p>{p.strip()}</p>" for p in body.split("\n") if p.strip())
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}</article>"
            "</body></html>")


def truncated_warc(path: Path) -> None:
    """warcinfo (record 1), a whole page (record 2), then a page cut off in the middle (record 3)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "broadsheet tests"}))
    for number, text in ((8, article(8)), (9, article(9))):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://news.example/{number}", "response",
                                                      payload=io.BytesIO(html_page(text).encode()), http_headers=http))
        if number == 8:
            whole = buffer.tell()
    data = buffer.getvalue()
    path.write_bytes(data[:whole + (len(data) - whole) // 2])


def write_csv(path: Path) -> None:
    """Rows 1 and 4 are good; 2 has a stray quote, 3 an unclosed one, 5 too many fields."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["title", "text"])
    writer.writerow(["Row one", " ".join(article(12).split())])
    out.write('Row two,"a stray "quote" here"\n')
    out.write('Row three,"a quote that never closes\n')
    writer.writerow(["Row four", " ".join(article(13).split())])
    out.write("Row five,too,many,fields\n")
    path.write_text(out.getvalue(), encoding="utf-8")


def make_hostile_folder(folder: Path) -> tuple[set[str], dict[str, str]]:
    """Write the folder; return (source paths of the good articles, {source path: reason} of the bad records)."""
    folder.mkdir(parents=True)
    good, bad = set(), {}
    # good articles, under names with spaces and non-ASCII letters
    for name, number in (("bbc story.txt", 2), ("actualité économie.txt", 6), ("日本語 記事.txt", 7)):
        (folder / name).write_text(article(number), encoding="utf-8")
        good.add(name)
    # repaired and published: mojibake, two encodings in one file, UTF-8 with a stray invalid byte
    (folder / "mojibake.txt").write_bytes(article(1).encode("utf-8").decode("cp1252").encode("utf-8"))
    accented = [line for line in article(4).split("\n") if not line.isascii()]  # two lines with '£'
    (folder / "mixed-encodings.txt").write_bytes(b"\n".join(
        line.encode("cp1252" if line == accented[1] else "utf-8") for line in article(4).split("\n")))
    invalid = article(3).encode("utf-8")
    cut = invalid.index("£".encode()) + 2
    (folder / "invalid-utf8.txt").write_bytes(invalid[:cut] + b"\xff" + invalid[cut:])
    title, _, body = article(5).partition("\n")
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    (folder / "malformed.html").write_text(
        f"<html><head><title>{title}</title><body><div class=story><h1>{title}<p>{paragraphs[0]}<p>{paragraphs[1]}"
        f"</b></span></table><p>{''.join(f'<div><p>{p}' for p in paragraphs[2:])}<div <p", encoding="utf-8")
    good |= {"mojibake.txt", "mixed-encodings.txt", "invalid-utf8.txt", "malformed.html"}
    # quarantined whole files
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    nul = article(10).encode("utf-8")
    (folder / "nul-bytes.txt").write_bytes(nul[:300] + b"\x00\x00" + nul[300:])
    with open(folder / "huge-line.txt", "wb") as handle:  # one line of 100 MB
        for _ in range(HUGE_BYTES // 2**20):
            handle.write((b"word " * (2**20 // 5 + 1))[:2**20])
    nested = 100_000
    (folder / "nested.html").write_text("<html><body>" + "<div>" * nested + html_page(article(11)) + "</div>" * nested
                                        + "</body></html>", encoding="utf-8")
    (folder / "truncated.txt.gz").write_bytes(gzip.compress(article(14).encode())[:600])
    with gzip.open(folder / "bomb.txt.gz", "wb") as handle:  # 64 MB of one letter in about 60 KB
        for _ in range(64):
            handle.write(b"A" * 2**20)
    bad |= {"empty.txt": "empty_file", "image.png": "binary_file", "nul-bytes.txt": "nul_bytes",
            "huge-line.txt": "file_too_large", "nested.html": "html_too_deep", "truncated.txt.gz": "truncated_gzip",
            "bomb.txt.gz": "decompressed_too_large"}
    # records inside files: the good ones still count
    truncated_warc(folder / "crawl.warc.gz")
    good.add("crawl.warc.gz#record-2")
    bad["crawl.warc.gz#record-3"] = "truncated_warc"
    rows = [json.dumps({"title": "First", "text": article(15)}), '{"title": "cut short", "text": "The minis',
            json.dumps({"title": "Third", "text": article(16)}), "[1, 2, 3]", json.dumps({"title": "no body"}),
            json.dumps({"title": "Sixth", "text": article(17)})]
    (folder / "news.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    good |= {"news.jsonl#L1", "news.jsonl#L3", "news.jsonl#L6"}
    bad |= {"news.jsonl#L2": "malformed_record", "news.jsonl#L4": "malformed_record", "news.jsonl#L5": "missing_text"}
    write_csv(folder / "broken quoting.csv")
    good |= {"broken quoting.csv#row-1", "broken quoting.csv#row-4"}
    bad |= {f"broken quoting.csv#row-{n}": "malformed_record" for n in (2, 3, 5)}
    # links: a folder link back to the folder (not followed), and two file links pointing at each other
    (folder / "again").symlink_to(folder, target_is_directory=True)
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")
    bad |= {"loop-a.txt": "symlink_loop", "loop-b.txt": "symlink_loop"}
    return good, bad


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, set[str], dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile") / "inputs"
    good, bad = make_hostile_folder(folder)
    return folder, good, bad


@pytest.fixture(scope="module")
def library_release(hostile, tmp_path_factory) -> Path:
    folder, _, _ = hostile
    result = build([str(folder)], str(tmp_path_factory.mktemp("out")), light(limits=LIMITS))
    assert result.published, result.message
    return Path(result.path)


def assert_books_balance(release: Path, folder: Path) -> dict:
    manifest = json.loads((release / "manifest.json").read_text())
    counts, entries = manifest["counts"], manifest["inputs"]
    assert counts["inputs"] == counts["published"] + counts["quarantined"] + counts["duplicates"]
    assert sum(e["records"] for e in entries) == counts["inputs"]
    for entry in entries:
        assert entry["records"] == entry["published"] + entry["quarantined"] + entry["duplicates"], entry
    files = {p.name for p in folder.iterdir() if p.name != "again"}
    assert [e["path"] for e in entries] == sorted(files)  # every file is an input, once, in sorted order
    return manifest


def test_every_record_is_published_or_quarantined_with_its_reason(hostile, library_release):
    folder, good, bad = hostile
    docs = pd.read_parquet(library_release / "documents").set_index("source_path")
    quarantine = pd.read_parquet(library_release / "quarantine")
    assert set(docs.index) == good
    assert dict(zip(quarantine["source_path"], quarantine["reason"], strict=True)) == bad
    assert not any(path.startswith("again/") for path in [*docs.index, *quarantine["source_path"]])
    manifest = assert_books_balance(library_release, folder)
    by_file = {e["path"]: e for e in manifest["inputs"]}
    assert by_file["news.jsonl"] | {"sha256": ""} == {"path": "news.jsonl", "sha256": "", "bytes": by_file[
        "news.jsonl"]["bytes"], "records": 6, "published": 3, "quarantined": 3, "duplicates": 0}
    assert by_file["crawl.warc.gz"]["records"] == 2 and by_file["broken quoting.csv"]["records"] == 5
    assert manifest["input_files"]["files_partly_quarantined"] == 3


def test_reasons_name_the_limit_or_the_damage(hostile, library_release):
    detail = pd.read_parquet(library_release / "quarantine").set_index("source_path")["detail"]
    assert "limits.max_file_bytes" in detail["huge-line.txt"] and str(HUGE_BYTES) in detail["huge-line.txt"]
    assert "limits.max_decompressed_bytes" in detail["bomb.txt.gz"] and "8000000" in detail["bomb.txt.gz"]
    assert "nest deeper than 255 levels" in detail["nested.html"]
    assert "2 NUL bytes (the first at byte 300)" in detail["nul-bytes.txt"]
    assert "cut-off" in detail["truncated.txt.gz"] and "cut-off" in detail["crawl.warc.gz#record-3"]
    assert "line 4" in detail["broken quoting.csv#row-3"]
    assert "loops" in detail["loop-a.txt"]


def test_repaired_text_is_what_the_publisher_wrote(library_release):
    docs = pd.read_parquet(library_release / "documents").set_index("source_path")
    for name in ("mojibake.txt", "mixed-encodings.txt", "invalid-utf8.txt"):
        text = docs.loc[name, "text"]
        assert "£" in text and "Â" not in text, name
    assert docs.loc["mojibake.txt", "title"] == article(1).split("\n")[0]
    assert docs.loc["mixed-encodings.txt", "encoding"].startswith("utf-8+")
    assert docs.loc["invalid-utf8.txt", "encoding"] == "utf-8+replaced"
    assert docs.loc["invalid-utf8.txt", "text"].count("\ufffd") == 1
    paragraphs = [p.strip() for p in article(5).split("\n")[1:] if p.strip()]
    assert all(p in docs.loc["malformed.html", "text"] for p in paragraphs)  # unclosed tags lose nothing


def test_readers_hold_no_more_than_the_limits_in_memory(hostile):
    folder, _, _ = hostile
    by_name = {item.relative_path: item for item in discover_inputs([folder])}
    for name, ceiling in (("huge-line.txt", 1 << 20), ("bomb.txt.gz", 3 * LIMITS.max_decompressed_bytes)):
        tracemalloc.start()
        try:
            [rejection] = list(read_input(by_name[name], light(limits=LIMITS)))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < ceiling, (name, peak)
        assert rejection.reason in ("file_too_large", "decompressed_too_large")


def test_cli_build_of_the_same_folder_succeeds_with_the_same_books(hostile, library_release, tmp_path):
    folder, _, _ = hostile
    config = tmp_path / "light.yaml"
    config.write_text(CONFIG_YAML)
    proc = subprocess.run([sys.executable, "-m", "flows", "build", str(folder), "--output", str(tmp_path / "out"),
                           "--config", str(config), "--workers", "1"],
                          cwd=ROOT, env={**os.environ, "COLUMNS": "160"}, capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "balanced per input file" in output
    release = tmp_path / "out" / "broadsheet" / "0.1.0"
    cli = assert_books_balance(release, folder)
    library = json.loads((library_release / "manifest.json").read_text())
    assert cli["inputs"] == library["inputs"] and cli["counts"] == library["counts"]


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", ".hidden", "/tmp/abs", ""])
def test_a_dataset_name_cannot_leave_the_output_folder(name, tmp_path):
    with pytest.raises(ValueError, match="dataset name"):
        build([str(tmp_path)], str(tmp_path / "out"), light(dataset_name=name))
    assert not (tmp_path / "out").exists()


def test_cli_refuses_an_escaping_name_or_version_before_any_work(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text(article(2), encoding="utf-8")
    out = tmp_path / "work" / "out"
    for option in (["--name", "../escape"], ["--version", "../../x"]):
        proc = subprocess.run([sys.executable, "-m", "flows", "build", str(inputs), "--output", str(out), *option],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "error:" in proc.stderr and "../" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "in"]  # nothing written anywhere
    with pytest.raises(ValueError, match="MAJOR.MINOR.PATCH"):
        build([str(inputs)], str(out), light(), version="../../x")
    assert not out.exists()
