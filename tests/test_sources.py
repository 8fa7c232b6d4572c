"""Reading text files: encodings are detected and recorded, non-text is refused with a reason."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pipeline.config import Limits
from pipeline.document import Document, Rejection
from pipeline.sources import discover_inputs, read_text_file
from pipeline.sources.csv_rows import csv_rows
from pipeline.sources.inflate import InputError, gunzip
from pipeline.sources.warc import read_warc_file


def read_one(path: Path):
    [item] = discover_inputs([path])
    [result] = list(read_text_file(item, Limits()))
    return result


def test_utf8_is_read_as_utf8(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Ri said “never again”.", encoding="utf-8")
    doc = read_one(path)
    assert isinstance(doc, Document)
    assert doc.encoding == "utf-8" and doc.raw_text == "Ri said “never again”."


def test_cp1252_is_detected_and_recorded(tmp_path):
    path = tmp_path / "b.txt"
    text = "Les cafés de Zürich ont rouvert lundi, a déclaré le maire. « Enfin », a-t-il dit."
    path.write_bytes(text.encode("cp1252"))
    doc = read_one(path)
    assert isinstance(doc, Document)
    assert "cafés de Zürich" in doc.raw_text
    assert doc.encoding != "utf-8"


def test_empty_and_binary_files_are_rejected_with_the_file_named(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.dat").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (tmp_path / "blank.txt").write_text("   \n\n  ")
    results = {r.source_path: r for item in discover_inputs([tmp_path]) for r in read_text_file(item, Limits())}
    assert all(isinstance(r, Rejection) for r in results.values())
    assert results["empty.txt"].reason == "empty_file"
    assert results["blank.txt"].reason == "empty_file"
    assert results["blob.dat"].reason == "binary_file"
    assert "blob.dat" in results["blob.dat"].detail


def test_oversized_file_is_rejected(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)
    [item] = discover_inputs([path])
    [result] = list(read_text_file(item, Limits(max_file_bytes=100)))
    assert result.reason == "file_too_large" and "big.txt" in result.detail


def test_discovery_is_sorted_and_relative(tmp_path):
    for name in ("b/2.txt", "a/1.txt", "a/.hidden.txt", "c.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [f.relative_path for f in discover_inputs([tmp_path])] == ["a/1.txt", "b/2.txt", "c.txt"]


def test_same_relative_path_in_two_input_folders_keeps_both(tmp_path):
    for folder in ("business", "sport"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "001.txt").write_text(f"{folder} story")
    found = discover_inputs([tmp_path / "business", tmp_path / "sport", tmp_path / "sport" / "001.txt"])
    assert [f.relative_path for f in found] == ["001.txt", "sport/001.txt"]
    assert {Path(f.path).parent.name for f in found} == {"business", "sport"}


def test_gzip_members_padding_and_damage():
    data = b"first member\n" * 100
    whole = gzip.compress(data)
    assert gunzip(whole + gzip.compress(b"second") + b"\x00" * 8, 10_000) == data + b"second"
    for damaged, reason in ((whole[:-4], "truncated_gzip"), (whole + b"junk", "corrupt_gzip"),
                            (whole[:10] + b"\xff" * 20 + whole[30:], "corrupt_gzip"),
                            (whole, "decompressed_too_large")):
        with pytest.raises(InputError) as caught:
            gunzip(damaged, 10_000 if reason != "decompressed_too_large" else 100)
        assert caught.value.reason == reason


def test_csv_rows_after_a_broken_quote_still_count():
    rows = list(csv_rows('title,text\nA,"fine, quoted"\nB,"never closed\nC,plain\n"D","multi\nline"\nE,x,y\n'))
    assert [where for where, _ in rows] == ["row-1", "row-2", "row-3", "row-4", "row-5"]
    assert rows[0][1] == {"title": "A", "text": "fine, quoted"} and "line 3" in rows[1][1]
    assert rows[2][1] == {"title": "C", "text": "plain"} and rows[3][1]["text"] == "multi\nline"
    assert rows[4][1].startswith("more fields")


def test_nul_bytes_in_text_and_lines_in_two_encodings(tmp_path):
    (tmp_path / "nul.txt").write_bytes(b"A perfectly ordinary sentence.\x00 And another one.")
    (tmp_path / "mixed.txt").write_bytes("Zürich in UTF-8\n".encode() + "Genève in cp1252\n".encode("cp1252"))
    results = {r.source_path: r for item in discover_inputs([tmp_path]) for r in read_text_file(item, Limits())}
    assert results["nul.txt"].reason == "nul_bytes"
    assert results["mixed.txt"].raw_text == "Zürich in UTF-8\nGenève in cp1252\n"
    assert results["mixed.txt"].encoding.startswith("utf-8+")


def test_warc_cut_after_its_last_record_reports_the_damage(tmp_path):
    from .test_inputs import bench_pages, make_warc

    make_warc(tmp_path / "crawl.warc.gz", bench_pages(1))
    data = (tmp_path / "crawl.warc.gz").read_bytes()
    (tmp_path / "crawl.warc.gz").write_bytes(data[:-6])  # the last member's trailer is missing
    [item] = discover_inputs([tmp_path / "crawl.warc.gz"])
    records = list(read_warc_file(item, Limits()))
    assert [r.source_path.rsplit("#", 1)[1] for r in records] == ["record-3", "record-4", "record-5", "record-6"]
    assert records[-1].reason == "truncated_warc"  # the records before it were read whole
    assert [getattr(r, "reason", None) for r in records[:3]] == [None, "not_html", "no_article"]


def test_a_file_named_twice_is_read_once_and_same_names_in_two_folders_are_both_kept(tmp_path):
    for folder in ("business", "sport"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "001.txt").write_text(f"A {folder} story\n\nSome text about {folder}.\n")
    business = tmp_path / "business"
    found = discover_inputs([business, business / "001.txt", tmp_path / "sport"])
    assert [item.relative_path for item in found] == ["001.txt", "sport/001.txt"]
    assert [Path(item.path).parent.name for item in found] == ["business", "sport"]
