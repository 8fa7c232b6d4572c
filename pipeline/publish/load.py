"""`load_release`: how other projects read a Broadsheet release, pinned to a version.

Local folders and fsspec URLs are resolved here (the `latest` pointer, a version folder, the table's
Parquet files of one split) and handed to `datasets`' own Parquet loader, so column types come back
exactly as published (the Arrow schema carries `datasets.Features`). `hf://datasets/ORG/NAME` goes to the
Hub, where each release is the tag `vX.Y.Z`.
"""

from __future__ import annotations

from typing import Any

from pipeline.publish.store import open_release
from pipeline.publish.targets import HUB_PREFIX, hub_repo_id


def load_release(path_or_url: str, version: str = "latest", table: str = "documents", as_pandas: bool = False,
                 split: str | None = "train", storage_options: dict | None = None, **load_kwargs: Any):
    """One table of one release as a `datasets.Dataset` (a `DatasetDict` of all splits when split=None),
    or a pandas DataFrame with `as_pandas=True`.

    `path_or_url` is a dataset folder (holding version folders and `latest`), a release folder, any fsspec
    URL of either (`s3://bucket/releases/broadsheet`), or `hf://datasets/ORG/NAME`.
    """
    import datasets

    if str(path_or_url).startswith(HUB_PREFIX):
        revision = None if version == "latest" else f"v{version}"
        loaded = datasets.load_dataset(hub_repo_id(str(path_or_url)), table, split=split, revision=revision,
                                       **load_kwargs)
        return _as_pandas(loaded) if as_pandas else loaded

    release = open_release(str(path_or_url), version, storage_options)
    files = release.table_files(table)
    if not files:
        tables = sorted(p.rsplit("/", 1)[-1] for p in release.fs.ls(release.path, detail=False)
                        if release.fs.isdir(p))
        raise FileNotFoundError(f"release {release.url} has no table {table!r} (tables: {', '.join(tables)})")
    by_split: dict[str, list[str]] = {}
    for path in files:
        by_split.setdefault(path.rsplit("/", 1)[-1].split("-", 1)[0], []).append(release.url_of(path))
    if split is not None and split not in by_split:
        raise ValueError(f"release {release.url} table {table!r} has no split {split!r} "
                         f"(splits: {', '.join(sorted(by_split))})")
    options = {"storage_options": storage_options} if storage_options else {}
    loaded = datasets.load_dataset("parquet", data_files=by_split, split=split, **options, **load_kwargs)
    return _as_pandas(loaded) if as_pandas else loaded


def _as_pandas(loaded):
    if hasattr(loaded, "to_pandas"):
        return loaded.to_pandas()
    import pandas as pd

    return pd.concat([part.to_pandas() for part in loaded.values()], ignore_index=True)
