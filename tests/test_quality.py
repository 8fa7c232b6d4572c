"""The quality gate on a real release: the untouched release passes; each injected defect is caught with a
message naming the table, the column or file, and the check; reports are usable in CI and offline."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from pipeline.build import build
from pipeline.publish.manifest import content_fingerprint, describe_files, schema_of, write_sha256sums
from pipeline.quality import GateError, run_gate
from pipeline.quality.html import render_html
from pipeline.quality.reports import junit_xml
from pipeline.schemas import ARROW_SCHEMAS

from .conftest import ROOT, SEED, SHARED, need_shared

BBC = SHARED / "corpora" / "bbc-news"
BBC_FILES = ["business/001.txt", "business/002.txt", "tech/001.txt", "sport/001.txt"]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """Two versions: 0.1.0 (the seed) and 0.2.0 (the seed and four BBC articles)."""
    root = tmp_path_factory.mktemp("quality")
    inputs = root / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    assert build([str(inputs)], str(root / "out")).version == "0.1.0"
    for rel in BBC_FILES:
        shutil.copy(need_shared(BBC / rel), inputs / rel.replace("/", "-"))
    result = build([str(inputs)], str(root / "out"))
    assert result.version == "0.2.0" and result.counts["published"] == 5
    return root / "out" / "broadsheet"


@pytest.fixture
def release(dataset, tmp_path) -> Path:
    """A private copy of the dataset folder (both versions), to damage; returns the 0.2.0 release."""
    copy = tmp_path / "broadsheet"
    shutil.copytree(dataset, copy, ignore=shutil.ignore_patterns(".work"))
    return copy / "0.2.0"


def table_file(release: Path, name: str) -> Path:
    return release / name / "train-00000-of-00001.parquet"


def rewrite(release: Path, name: str, change, resync: bool = True) -> None:
    """Replace a table's rows. With `resync`, the manifest and SHA256SUMS are brought in line, as if the
    build itself had produced the bad rows: only the content defect is left to catch."""
    path = table_file(release, name)
    pq.write_table(change(pq.read_table(path)), path)
    if resync:
        manifest = json.loads((release / "manifest.json").read_text())
        files = describe_files(release, sorted(release.glob("*/*.parquet")))
        manifest["files"], manifest["content_fingerprint"] = files, content_fingerprint(files)
        table = pq.read_table(path)
        manifest["tables"][name] = {"rows": table.num_rows, "schema": schema_of(table)}
        (release / "manifest.json").write_text(json.dumps(manifest, indent=2))
        write_sha256sums(release)


def set_value(table: arrow.Table, column: str, row: int, value, dtype=None) -> arrow.Table:
    values = table[column].to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    field = arrow.field(column, dtype or table.schema.field(column).type, nullable=True)
    return table.set_column(index, field, arrow.array(values, field.type))


def edit_manifest(release: Path, change) -> None:
    manifest = json.loads((release / "manifest.json").read_text())
    change(manifest)
    (release / "manifest.json").write_text(json.dumps(manifest, indent=2))


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def missing_column(r):
    rewrite(r, "documents", lambda t: t.drop_columns(["title"]))


def wrong_type(r):
    rewrite(r, "documents", lambda t: t.set_column(t.schema.get_field_index("n_words"), "n_words",
                                                   pc.cast(t["n_words"], arrow.string())))


def null_text(r):
    rewrite(r, "documents", lambda t: set_value(t, "text", 1, None))


def offset_out_of_range(r):
    rewrite(r, "sentences", lambda t: set_value(t, "end", 3, 10_000_000))


def duplicate_doc_id(r):
    rewrite(r, "documents", lambda t: arrow.concat_tables([t, t.slice(0, 1)]))


def orphan_sentence(r):
    rewrite(r, "sentences", lambda t: set_value(t, "doc_id", 0, "ffffffffffffffff"))


def changed_byte(r):
    flip_byte(table_file(r, "sentences"))


def checksum_mismatch(r):
    sums = (r / "SHA256SUMS").read_text().splitlines()
    sums = [("0" * 64 + line[64:]) if line.endswith("documents/train-00000-of-00001.parquet") else line
            for line in sums]
    (r / "SHA256SUMS").write_text("\n".join(sums) + "\n")


def future_date(r):
    rewrite(r, "documents", lambda t: set_value(t, "published_date", 2, "2999-01-01"))


def lying_row_count(r):
    def lie(manifest):
        manifest["tables"]["documents"]["rows"] += 3
        for item in manifest["files"]:
            if item["path"].startswith("documents/"):
                item["rows"] += 3
    edit_manifest(r, lie)


def span_text_changed(r):
    rewrite(r, "sentences", lambda t: set_value(t, "text", 2, "Something the article never said."))


def not_allowed_value(r):
    rewrite(r, "removed_lines", lambda t: set_value(t, "reason", 0, "gremlins"))


def file_deleted(r):
    table_file(r, "paragraphs").unlink()


def count_disagrees(r):
    rewrite(r, "documents", lambda t: set_value(t, "n_sentences", 0, 999))


# (defect, check expected to fail, table, column or file it must name)
DEFECTS = [
    (missing_column, "column_in_dataframe", "documents", "title"),
    (wrong_type, "dtype", "documents", "n_words"),
    (wrong_type, "parquet_type", "documents", "n_words"),
    (null_text, "not_nullable", "documents", "text"),
    (offset_out_of_range, "span_in_document", "sentences", "end"),
    (duplicate_doc_id, "field_uniqueness", "documents", "doc_id"),
    (orphan_sentence, "doc_id_in_documents", "sentences", "doc_id"),
    (changed_byte, "file_sha256", "sentences", "sentences/train-00000-of-00001.parquet"),
    (checksum_mismatch, "sha256sums", None, "documents/train-00000-of-00001.parquet"),
    (future_date, "published_dates", "documents", "published_date"),
    (lying_row_count, "file_row_count", "documents", "documents/train-00000-of-00001.parquet"),
    (lying_row_count, "table_row_count", "documents", "manifest.json"),
    (span_text_changed, "span_text_matches", "sentences", "text"),
    (not_allowed_value, "isin", "removed_lines", "reason"),
    (file_deleted, "file_present", "paragraphs", "paragraphs/train-00000-of-00001.parquet"),
    (count_disagrees, "count_matches_rows", "documents", "n_sentences"),
]


def test_untouched_release_passes(release):
    report = run_gate(release)
    assert [c.describe() for c in report.checks if not c.passed] == []
    assert report.exit_code == 0 and report.status == "passed"
    names = {c.name for c in report.checks}
    assert {"pandera_contract", "span_text_matches", "doc_id_in_documents", "file_sha256", "published_dates",
            "row_count_change"} <= names
    change = next(c for c in report.checks if c.name == "row_count_change")
    assert "0.1.0" in change.message and change.observed == 4.0  # 1 -> 5 documents


@pytest.mark.parametrize(("inject", "check", "table", "place"), DEFECTS,
                         ids=[f"{d[0].__name__}-{d[1]}" for d in DEFECTS])
def test_defect_is_caught_and_named(release, inject, check, table, place):
    inject(release)
    report = run_gate(release)
    assert report.exit_code == 1 and report.status == "failed"
    matches = [c for c in report.errors if c.name == check and (table is None or c.table == table)]
    assert matches, f"{check} not among failures: {[c.describe() for c in report.errors]}"
    found = matches[0]
    text = found.describe()
    assert place in text and (table is None or table in text) and check in text, text


def test_failure_examples_name_documents_and_never_hold_whole_texts(release):
    long_text = "A sentence that goes on " * 40
    rewrite(release, "sentences", lambda t: set_value(t, "text", 1, long_text))
    report = run_gate(release)
    check = next(c for c in report.errors if c.name == "span_text_matches")
    data = check.to_dict()
    assert data["failures"] == 1 and len(data["examples"]) == 1
    example = data["examples"][0]
    assert len(example["doc_id"]) == 16 and len(example["value"]) <= 80
    assert long_text not in json.dumps(report.to_dict())


def test_at_most_five_examples(release):
    rewrite(release, "sentences", lambda t: t.set_column(
        t.schema.get_field_index("doc_id"), "doc_id", arrow.array(["0123456789abcdef"] * t.num_rows)))
    check = next(c for c in run_gate(release).errors if c.name == "doc_id_in_documents")
    assert check.failures > 5 and len(check.to_dict()["examples"]) == 5


def test_warnings_and_fail_on(release, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  short_documents: {min_chars: 100000, max_share: 0.0}\n")
    report = run_gate(release, rules)
    assert [c.name for c in report.warnings] == ["short_documents"] and not report.errors
    assert report.exit_code == 2 and report.status == "passed with warnings"
    assert run_gate(release, rules, fail_on="warn").exit_code == 1
    assert run_gate(release, rules, fail_on="warning").exit_code == 1  # the spelling other tools use
    with pytest.raises(GateError, match="--fail-on"):
        run_gate(release, rules, fail_on="sometimes")
    assert run_gate(release, rules, fail_on="never").exit_code == 2
    future_date(release)
    assert run_gate(release, rules, fail_on="never").exit_code == 2
    assert run_gate(release, rules, fail_on="error").exit_code == 1


@pytest.mark.parametrize(("content", "complaint"), [
    ("rules: [", "not valid YAML"),
    ("rules:\n  no_such_rule: {max_share: 1}\n", "unknown rule 'no_such_rule'"),
    ("rules:\n  quarantine_share: {severity: fatal}\n", "severity must be error or warn"),
    ("rules:\n  short_documents: {min_chars: lots}\n", "rules.short_documents.min_chars"),
])
def test_bad_config_cannot_run_and_names_the_file(release, tmp_path, content, complaint):
    rules = tmp_path / "bad-rules.yaml"
    rules.write_text(content)
    with pytest.raises(GateError, match="bad-rules.yaml") as error:
        run_gate(release, rules)
    assert complaint in str(error.value)


def test_unreadable_release_cannot_run(release):
    (release / "manifest.json").write_text("{not json")
    with pytest.raises(GateError, match="manifest.json"):
        run_gate(release)


def test_junit_counts_errors_as_failures_and_warnings_as_skipped(release, tmp_path):
    orphan_sentence(release)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  short_documents: {min_chars: 100000}\n")
    report = run_gate(release, rules)
    root = ET.fromstring(junit_xml(report))
    cases = root.findall(".//testcase")
    assert len(cases) == len(report.checks)
    failed = [c for c in cases if c.find("failure") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert any("sentences.doc_id" in c.get("name") for c in failed)
    assert len(failed) == len(report.errors) and [c.get("name") for c in skipped] == [
        "short_documents [documents.text]"]


def test_html_report_is_offline_and_has_the_figures(release):
    quarantine = pq.read_table(table_file(release, "quarantine"))
    rows = [{"source_path": f"bad-{i}.txt", "doc_id": None, "source_sha256": None, "stage": "read",
             "reason": reason, "detail": f"bad-{i}.txt is broken"} for i, reason in
            enumerate(["empty_file", "empty_file", "binary_file"])]
    rewrite(release, "quarantine", lambda t: arrow.Table.from_pylist(rows, schema=quarantine.schema))
    html = render_html(run_gate(release))
    for forbidden in ("http://", "https://", "<script", "<link", "src=", "@import"):
        assert forbidden not in html
    assert html.count("<svg") >= 4 and html.count("<rect") >= 10
    for caption in ("Document length (5 documents)", "Languages", "Quarantine reasons (3 records)",
                    "Rows per table: 0.1.0 → 0.2.0"):
        assert caption in html
    assert "empty_file" in html and "binary_file" in html
    assert "quarantine_share" in html  # 3 of 8 inputs: over the default 20 % warning threshold


def test_html_draws_entities_per_document_when_a_release_has_entities(release):
    docs = pq.read_table(table_file(release, "documents"))["doc_id"].to_pylist()
    shutil.rmtree(release / "entities", ignore_errors=True)  # replace the real entities with known counts
    (release / "entities").mkdir()
    pq.write_table(arrow.table({"doc_id": [docs[0]] * 3 + [docs[1]]}), table_file(release, "entities"))
    report = run_gate(release)
    hist = report.stats["entities_per_document"]  # 3, 1, 0, 0, 0 entities in ten bins over [0, 3]
    assert sum(hist["counts"]) == 5 and hist["counts"][0] == 3 and hist["counts"][-1] == 1
    assert hist["edges"][0] == 0 and hist["edges"][-1] == 3
    assert "Entities per document" in render_html(report)
    assert any(c.table == "entities" for c in report.errors)  # the swapped file does not match the manifest


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_cli_validate_exit_codes_and_report_files(release, tmp_path):
    proc = run_cli("validate", str(release.parent), "--report-json", str(tmp_path / "r.json"),
                   "--junit", str(tmp_path / "r.xml"), "--html", str(tmp_path / "r.html"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "passed" in proc.stdout and "0.2.0" in proc.stdout
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["status"] == "passed" and data["version"] == "0.2.0"
    assert {"name", "table", "column", "severity", "passed", "observed", "examples"} <= set(data["checks"][0])
    assert (tmp_path / "r.xml").exists() and "<svg" in (tmp_path / "r.html").read_text()

    orphan_sentence(release)
    proc = run_cli("validate", str(release))
    assert proc.returncode == 1
    assert "doc_id_in_documents" in proc.stdout and "sentences.doc_id" in proc.stdout

    proc = run_cli("validate", str(tmp_path / "nowhere"))
    assert proc.returncode == 3 and "could not run" in proc.stderr and "nowhere" in proc.stderr
    (tmp_path / "bad.yaml").write_text("rules: [")
    proc = run_cli("validate", str(release), "--config", str(tmp_path / "bad.yaml"))
    assert proc.returncode == 3 and "bad.yaml" in proc.stderr


def test_cli_schema_export_checks_a_consumers_copy(release):
    import pandas as pd
    import pandera.pandas as pa
    import yaml

    proc = run_cli("schema", "--format", "yaml")
    assert proc.returncode == 0, proc.stderr
    contracts = yaml.safe_load(proc.stdout)
    assert set(contracts) >= {"documents", "sentences", "paragraphs", "quarantine"}
    sentences = pa.DataFrameSchema.from_yaml(yaml.safe_dump(contracts["sentences"]))
    assert [c.name for c in sentences.checks] == ["end_after_start"]  # the registered span check is exported
    frame = pd.read_parquet(release / "sentences")
    sentences.validate(frame)
    frame.loc[0, "end"] = frame.loc[0, "start"]
    with pytest.raises(pa.errors.SchemaError):
        sentences.validate(frame)
    proc = run_cli("schema", "--format", "json", "--table", "documents")
    documents = pa.DataFrameSchema.from_json(proc.stdout)
    documents.validate(pd.read_parquet(release / "documents"))
    assert run_cli("schema", "--format", "xml").returncode == 1


def test_build_does_not_publish_a_release_that_fails_the_gate(tmp_path, monkeypatch):
    """Write, audit, publish: a failing staging folder is kept under .rejected/ with its reports, and
    `latest` stays on the previous version."""
    import pipeline.publish.release as release_module
    from pipeline.quality.publish_gate import ReleaseRejectedError

    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    out = tmp_path / "out"
    assert build([str(inputs)], str(out)).version == "0.1.0"
    shutil.copy(need_shared(BBC / BBC_FILES[0]), inputs / "bbc.txt")

    original = release_module.part_tables

    def buggy_merge(part, plan):  # a merge bug: one sentence no longer slices its document
        tables = original(part, plan)
        tables["sentences"] = set_value(tables["sentences"], "text", 0, "not what the document says").cast(
            ARROW_SCHEMAS["sentences"])
        return tables

    monkeypatch.setattr(release_module, "part_tables", buggy_merge)
    with pytest.raises(ReleaseRejectedError, match="span_text_matches") as error:
        build([str(inputs)], str(out))
    dataset = out / "broadsheet"
    assert "1.0.0 was not published" in str(error.value)  # records changed: MAJOR
    assert (dataset / "latest").read_text().strip() == "0.1.0" and not (dataset / "0.2.0").exists()
    assert not list(dataset.glob(".staging-*"))
    rejected = Path(error.value.rejected_dir)
    assert rejected.parent == dataset / ".rejected" and rejected.name.startswith("1.0.0-")
    report = json.loads((rejected / "quality-report.json").read_text())
    assert report["status"] == "failed"
    assert any(c["name"] == "span_text_matches" and c["table"] == "sentences" and not c["passed"]
               for c in report["checks"])
    assert "<svg" in (rejected / "quality-report.html").read_text()
    assert (rejected / "sentences" / "train-00000-of-00001.parquet").exists()  # kept for inspection

    monkeypatch.setattr(release_module, "part_tables", original)
    assert build([str(inputs)], str(out)).version == "0.2.0"  # fixed code publishes as usual


def test_build_gate_uses_the_rules_file_from_the_environment(tmp_path, monkeypatch):
    rules = tmp_path / "strict.yaml"
    rules.write_text("rules:\n  short_documents: {severity: error, min_chars: 1000000, max_share: 0.0}\n")
    monkeypatch.setenv("BROADSHEET_QUALITY_CONFIG", str(rules))
    from pipeline.quality.publish_gate import ReleaseRejectedError

    with pytest.raises(ReleaseRejectedError, match="short_documents"):
        build([str(SEED.parent)], str(tmp_path / "out"))
    dataset = tmp_path / "out" / "broadsheet"
    assert not (dataset / "latest").exists() and not (dataset / "0.1.0").exists()
    assert len(list((dataset / ".rejected").glob("0.1.0-*/quality-report.html"))) == 1


def test_cli_build_shows_a_rejected_release_without_a_traceback(tmp_path):
    rules = tmp_path / "strict.yaml"
    rules.write_text("rules:\n  short_documents: {severity: error, min_chars: 1000000}\n")
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "BROADSHEET_QUALITY_CONFIG": str(rules),
           "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "flows", "build", str(SEED.parent), "--output", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "not published" in output and "short_documents" in output and "quality-report.html" in output
    assert "Traceback" not in output
    assert not (tmp_path / "broadsheet" / "latest").exists()


def test_release_argument_forms(dataset):
    from pipeline.quality.loader import resolve_release

    latest = dataset / "0.2.0"
    assert resolve_release(None, dataset) == latest
    assert resolve_release("latest", dataset) == latest
    assert resolve_release(dataset, "unused") == latest
    assert resolve_release(dataset / "latest", "unused") == latest
    assert resolve_release(dataset / "0.1.0", "unused") == dataset / "0.1.0"
    with pytest.raises(GateError, match="no release found"):
        resolve_release(dataset / "0.2.0" / "documents", "unused")


def test_default_rules_ship_with_the_package():
    from pipeline.quality.config import PARAMS, load_rules

    rules = load_rules()
    assert set(rules) == set(PARAMS)
    assert rules["published_dates"]["severity"] == "error" and rules["row_count_change"]["severity"] == "warn"
    text = (ROOT / "pyproject.toml").read_text()
    assert '"pipeline.quality" = ["*.yaml"]' in text
