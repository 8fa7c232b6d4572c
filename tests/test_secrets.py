"""Secrets audit: a Hub token and AWS credentials in the environment, and a URL with a password, never reach
logs, error messages, manifest.json, the card or any other file a build or a failed push writes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from huggingface_hub import HfApi

from pipeline.build import build
from pipeline.publish.targets import TargetError, push_release
from pipeline.redact import scrub

from .conftest import ROOT, SEED, light

FAKE_ENV = {
    "HF_TOKEN": "hf_FAKEtokenFAKEtokenFAKEtoken12345",
    "AWS_ACCESS_KEY_ID": "AKIAFAKEKEYID0001234",
    "AWS_SECRET_ACCESS_KEY": "fakeSecretAccessKey/ABCdef0123456789xyz",
    "AWS_SESSION_TOKEN": "FakeSessionTokenFakeSessionToken0987",
}
URL_PASSWORD = "urlPassw0rdFAKE42"
SECRETS = [*FAKE_ENV.values(), URL_PASSWORD]
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: connection refused at once
S3_OPTIONS = {"client_kwargs": {"endpoint_url": UNREACHABLE},
              "config_kwargs": {"retries": {"max_attempts": 1}, "connect_timeout": 2}}


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def written_text(folder: Path) -> str:
    """Every file under `folder` as text; Parquet (compressed) through its rows."""
    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            parts.append(pq.read_table(path).to_pandas().to_csv())
        else:
            parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


class LeakyHub:
    """A Hub client failing the way some HTTP errors do: with the request's Authorization header in the text."""

    def create_repo(self, *args, **kwargs):
        raise RuntimeError(f"401 Client Error for url https://hub.example/api/repos/create "
                           f"(headers: Authorization: Bearer {FAKE_ENV['HF_TOKEN']})")


def test_build_and_failed_pushes_leak_no_credential(tmp_path, monkeypatch, caplog, capsys):
    for name, value in FAKE_ENV.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)  # storage clients log request headers at DEBUG level
    release = Path(build([str(SEED.parent)], str(tmp_path / "out"), light()).path)
    errors = []
    attempts = [
        (f"s3://{FAKE_ENV['AWS_ACCESS_KEY_ID']}:{URL_PASSWORD}@bucket/prefix", {}, None),  # refused outright
        ("s3://broadsheet-test-bucket/prefix", S3_OPTIONS, None),  # signed with the env keys, then unreachable
        ("hf://datasets/org/name", {}, HfApi(endpoint=UNREACHABLE)),  # the token from HF_TOKEN, then unreachable
        ("hf://datasets/org/name", {}, LeakyHub()),  # an error text carrying the token
    ]
    for target, options, api in attempts:
        with pytest.raises(TargetError) as caught:
            push_release(release, target, hf_api=api, storage_options=options)
        errors.append(str(caught.value))
    assert "credentials in a URL are refused" in errors[0] and "s3://bucket/prefix" in errors[0]
    assert all("could not publish" in error for error in errors[1:])
    with pytest.raises(ValueError, match="credentials in a URL are refused") as refused:
        build([f"s3://user:{URL_PASSWORD}@bucket/in"], str(tmp_path / "out"), light())
    errors.append(str(refused.value))
    captured = capsys.readouterr()
    for where, text in (("error messages", "\n".join(errors)), ("logs", caplog.text),
                        ("stdout/stderr", captured.out + captured.err), ("files", written_text(tmp_path))):
        assert not leaks(text), f"{where} leak {leaks(text)}"
    assert "AKIA" not in caplog.text  # botocore signs with the key id: the log records are scrubbed


def test_scrub_masks_values_and_shapes(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", FAKE_ENV["HF_TOKEN"])
    text = scrub(f"token {FAKE_ENV['HF_TOKEN']} at s3://key:{URL_PASSWORD}@bucket and hf_{'x' * 30}")
    assert not leaks(text) and "hf_x" not in text and "s3://bucket" in text


def test_cli_build_with_a_failing_push_leaks_no_credential(tmp_path):
    """The command a scheduler runs: build, then push to an unreachable Hub. Prefect's database is kept in
    tmp_path (PREFECT_HOME) so that it is searched too."""
    env = {**os.environ, **FAKE_ENV, "HF_ENDPOINT": UNREACHABLE, "PREFECT_HOME": str(tmp_path / "prefect"),
           "COLUMNS": "160"}
    config = tmp_path / "light.yaml"
    config.write_text("enrich: {entities: false, quotes: false, keywords: false}\n")
    command = [sys.executable, "-m", "flows", "build", str(SEED.parent), "--output", str(tmp_path / "out"),
               "--config", str(config), "--workers", "1", "--verbose"]
    pushed = subprocess.run([*command, "--to", "hf://datasets/org/name"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=600)
    assert pushed.returncode == 1 and "publish failed" in pushed.stderr, pushed.stdout + pushed.stderr
    assert (tmp_path / "out" / "broadsheet" / "0.1.0" / "manifest.json").exists()  # the build itself succeeded
    refused = subprocess.run([*command, "--to", f"s3://{FAKE_ENV['AWS_ACCESS_KEY_ID']}:{URL_PASSWORD}@bucket/p"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "credentials in a URL are refused" in refused.stderr
    for where, text in (("output", pushed.stdout + pushed.stderr + refused.stdout + refused.stderr),
                        ("files", written_text(tmp_path))):
        assert not leaks(text), f"{where} leak {leaks(text)}"
