"""Reading text files: encodings are detected and recorded, non-text is refused with a reason."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Limits
from pipeline.document import Document, Rejection
from pipeline.sources import discover_inputs, read_text_file


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
