"""Shared fixtures: paths to the shared test data and a built release of the seed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import flows.settings  # noqa: F401  (quiet Prefect defaults for every test)
from pipeline.build import build

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "seeds" / "000_5203643684a7e116.txt"
GOLD = json.loads((SHARED / "gold" / "000_5203643684a7e116.json").read_text())


def need_shared(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"test data missing: {path} (tests read ../shared beside the checkout)")
    return path


@pytest.fixture(scope="session")
def gold() -> dict:
    return GOLD


@pytest.fixture(scope="session")
def seed_release(tmp_path_factory) -> Path:
    """The seed built once through the plain library, as other tests read it."""
    out = tmp_path_factory.mktemp("seed-release")
    result = build([str(SEED.parent)], str(out))
    assert result.published
    return Path(result.path)


@pytest.fixture
def mixed_inputs(tmp_path) -> Path:
    """The seed plus the bad files a crawler leaves behind: empty, binary, and a non-UTF-8 article."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.bin").write_bytes(bytes(range(256)) * 40)
    latin = ("Café owners in Zürich say trade is up\n\n"
             "Owners of cafés said on Monday that trade had risen by a fifth this year, despite the rain.\n")
    (folder / "latin1.txt").write_bytes(latin.encode("cp1252"))
    return folder


# For tests at corpus scale that do not look at entities, quotes or keywords: spaCy NER and parsing
# dominate a build's cost (see bench/README.md), and the suite must stay quick on two cores.
from pipeline.config import BuildConfig, EnrichConfig  # noqa: E402

LIGHT_ENRICH = EnrichConfig(entities=False, quotes=False, keywords=False)


def light(**settings) -> BuildConfig:
    return BuildConfig(enrich=LIGHT_ENRICH, **settings)


SECRET = "s3cr3t-never-printed"


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 on 127.0.0.1 (a free port), with credentials given the standard way: the environment."""
    moto_server = pytest.importorskip("moto.server")
    pytest.importorskip("s3fs")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    patch = pytest.MonkeyPatch()
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": SECRET,
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://{host}:{port}"}.items():
        patch.setenv(key, value)
    import boto3

    for bucket in ("releases", "work"):
        boto3.client("s3").create_bucket(Bucket=bucket)
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()  # a cached instance would keep another module's server address
    yield f"http://{host}:{port}"
    patch.undo()
    server.stop()
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture(scope="module")
def prefect_harness():
    """A private Prefect server for one test module (local mode, as the CLI runs it)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
