"""Enrichment and dedup settings: YAML through the CLI, readable errors, language detection edge cases."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from flows.cli import _load_config, app
from pipeline.config import BuildConfig
from pipeline.enrich.language import detect
from pipeline.enrich.quality import quality_signals


def test_yaml_switches_enrichers_off(tmp_path):
    path = tmp_path / "build.yaml"
    path.write_text("enrich:\n  entities: false\n  languages: [en, de]\ndedup:\n  keep: all\n")
    config = _load_config(path, {"dataset_name": ("news", "broadsheet"), "shard_size": (500, 500)})
    assert config.enrich.entities is False and config.enrich.quotes is True
    assert config.enrich.languages == ("en", "de") and config.dedup.keep == "all"
    assert config.dataset_name == "news"
    assert config.fingerprint() != BuildConfig(dataset_name="news").fingerprint()
    assert BuildConfig.from_dict(config.to_dict()) == config


def test_bad_config_is_a_one_line_error(tmp_path):
    path = tmp_path / "build.yaml"
    path.write_text("enrich: {entites: false}\n")
    result = CliRunner().invoke(app, ["build", "--config", str(path), "--output", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "entites" in result.output and "Traceback" not in result.output
    with pytest.raises(ValueError, match="keep"):
        BuildConfig.from_dict({"dedup": {"keep": "some"}})


def test_language_detection():
    languages = ("en", "de", "fr")
    assert detect("Der Bundestag hat am Freitag ein neues Gesetz zur Energie beschlossen.", languages)[0] == "de"
    assert detect("Le gouvernement a présenté vendredi un nouveau projet de loi.", languages)[0] == "fr"
    assert detect("12345 67 ... 89", languages) == (None, None)
    with pytest.raises(ValueError, match="xx"):
        detect("text", ("en", "xx"))


def test_quality_signals_flag_boilerplate():
    page = "\n".join(["Home", "News", "Sport", "Home", "News", "Sport", "Read more...", "#tag #tag2"])
    signals = quality_signals(page, n_sentences=1, language="en")
    assert signals["duplicate_line_ratio"] == 0.75
    assert signals["punctuated_line_ratio"] < 0.2 and signals["ellipsis_line_ratio"] == 0.125
    assert signals["symbol_word_ratio"] > 0.1 and signals["stop_word_count"] == 0
