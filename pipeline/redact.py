"""Credentials never reach messages, logs, manifests or artifacts.

They are read only by the storage libraries, from the environment or their standard config files (AWS_* or
~/.aws for s3fs, HF_TOKEN or the `hf auth login` token file for the Hub). A URL carrying `user:password@` is
refused, because it would be copied into logs, the Prefect database and shell history. Text that leaves the
process (errors, quarantine details, log records) goes through `scrub`, which masks the values of those
variables and files wherever they appear, and anything shaped like a token.
"""

from __future__ import annotations

import configparser
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SECRET_VARIABLES = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                    "AWS_SESSION_TOKEN", "AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT_KEY",
                    "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_SAS_TOKEN", "GOOGLE_API_KEY")
MASK = "***"
_SHAPES = (
    re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+@"),  # user:password@ inside a URL
    re.compile(r"\bhf_[A-Za-z0-9]{20,}"),  # Hugging Face tokens
    re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),  # AWS access key ids
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=-]{8,}"),  # Authorization: Bearer <token>
)
_MIN_SECRET_CHARS = 6  # shorter values would mask ordinary words


class CredentialsInURLError(ValueError):
    pass


def redact(url: str) -> str:
    """A URL fit for messages: any user:password@ part is dropped."""
    try:
        parts = urlsplit(str(url))
        if not (parts.username or parts.password):
            return str(url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:  # not parseable as a URL (e.g. a bad port): mask by shape instead
        return scrub(str(url))


def refuse_credentials(url: str, what: str) -> None:
    """Raise when a URL carries credentials: they belong in the environment or a config file."""
    try:
        parts = urlsplit(str(url))
        carries = bool(parts.username or parts.password)
    except ValueError:
        carries = _SHAPES[0].search(str(url)) is not None
    if carries:
        raise CredentialsInURLError(
            f"{what} {redact(url)}: credentials in a URL are refused (they would be copied into logs); set them "
            "in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, HF_TOKEN) or the storage's own "
            "config file (~/.aws/credentials, `hf auth login`)")


def _config_file_secrets() -> list[str]:
    """Secrets in the standard files the storage libraries read (the Hub token file, ~/.aws/credentials)."""
    found = []
    hf_home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    token_file = Path(os.environ.get("HF_TOKEN_PATH", hf_home / "token"))
    aws_file = Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", Path.home() / ".aws" / "credentials"))
    try:
        if token_file.is_file():
            found.append(token_file.read_text().strip())
        if aws_file.is_file():
            parser = configparser.ConfigParser(interpolation=None)
            parser.read(aws_file)
            found += [value for section in parser.sections() for key, value in parser.items(section)
                      if key in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")]
    except (OSError, configparser.Error):
        pass
    return found


def known_secrets() -> list[str]:
    values = [os.environ.get(name, "") for name in SECRET_VARIABLES] + _config_file_secrets()
    return sorted({v for v in values if len(v) >= _MIN_SECRET_CHARS}, key=len, reverse=True)


def scrub(text: str, secrets: list[str] | None = None) -> str:
    """`text` with every known secret value and anything shaped like a credential masked."""
    text = str(text)
    for secret in known_secrets() if secrets is None else secrets:
        text = text.replace(secret, MASK)
    for shape in _SHAPES:
        text = shape.sub(MASK if shape is not _SHAPES[0] else "", text)
    return text


def _scrub_record(record: logging.LogRecord, secrets: list[str]) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a malformed call: leave it to the handler's own error path
        return
    clean = scrub(message, secrets)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and not record.exc_text:  # format the traceback now, scrubbed, so handlers reuse it
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info), secrets)


@contextmanager
def scrubbed_logs() -> Iterator[None]:
    """Every log record made meanwhile, by any library and for any handler, is scrubbed of secrets.

    Storage clients log request headers at DEBUG level (botocore logs the access key id in its signature);
    a record factory reaches them all, where a filter on one logger would miss its children.
    """
    secrets = known_secrets()
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub_record(record, secrets)
        return record

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)
