"""The dataset card (README.md): YAML that `datasets` reads to find the configs, and a body for people."""

from __future__ import annotations

import pyarrow as arrow
import yaml

from pipeline.config import Chunking
from pipeline.publish.parquet import hf_features
from pipeline.publish.splits import SPLIT_ORDER
from pipeline.schemas import COLUMN_DESCRIPTIONS, TABLE_DESCRIPTIONS
from pipeline.tokens import describe_tokenizer

DEFAULT_TABLE = "documents"


def size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                         (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < limit:
            return label
    return "10M<n<100M"


def _features(schema: arrow.Schema) -> list[dict]:
    features = hf_features(schema)["info"]["features"]
    out = []
    for name, feature in features.items():
        if feature.get("_type") == "Value":
            out.append({"name": name, "dtype": feature["dtype"]})
        else:
            out.append({"name": name, "list": {"dtype": feature.get("feature", {}).get("dtype", "string")}})
    return out


def chunks_section(settings: Chunking) -> str:
    """The chunking settings, so a user knows what `n_tokens` counts and how chunks were cut."""
    return f"""## Chunks

The `chunks` config holds runs of whole sentences, ready for a retrieval index or a training run:

- at most **{settings.max_tokens}** tokens per chunk; `n_tokens` is the exact count of the chunk's text in
  {describe_tokenizer(settings.tokenizer)} (tokenizer setting `{settings.tokenizer}`);
- consecutive chunks share **{settings.overlap_sentences}** sentence(s) (`first_sentence_index`,
  `last_sentence_index` refer to the `sentences` config);
- a chunk starts where its first sentence starts and ends where its last sentence ends; a sentence that alone
  exceeds the limit is cut between words into pieces of its own (`split_sentence` is true), and only a single
  word longer than the limit is cut inside;
- `chunk_id` is the first 16 hex digits of the sha256 of `doc_id|start|end`: stable across runs;
- `title` and `published_date` are repeated from `documents` so a chunk stands alone.

These settings are part of the build's settings fingerprint: changing them gives new chunks and a new release.

"""

def split_rows(files: list[dict] | None, tables: dict[str, arrow.Table]) -> dict[str, dict[str, int]]:
    """`{table: {split: rows}}` from the written files (`<table>/<split>-0000i-of-0000N.parquet`)."""
    if not files:
        return {name: {"train": table.num_rows} for name, table in tables.items()}
    out: dict[str, dict[str, int]] = {}
    for item in files:
        table, filename = item["path"].split("/", 1)
        split = filename.split("-", 1)[0]
        out.setdefault(table, {}).setdefault(split, 0)
        out[table][split] += item["rows"]
    return out


def render_card(dataset: str, version: str, pretty_name: str, license: str, languages: list[str],
                tables: dict[str, arrow.Table], counts: dict[str, int], build_note: str,
                chunking: Chunking | None = None, files: list[dict] | None = None,
                parent: str | None = None) -> str:
    names = [DEFAULT_TABLE] + sorted(name for name in tables if name != DEFAULT_TABLE)
    # `datasets` cannot load a config or split with no rows, so empty ones are listed in the body only.
    loadable = [name for name in names if tables[name].num_rows or name == DEFAULT_TABLE]
    per_split = split_rows(files, tables)

    def splits_of(name: str) -> list[str]:
        found = [s for s, rows in per_split.get(name, {}).items() if rows]
        return sorted(found, key=lambda s: (SPLIT_ORDER.index(s) if s in SPLIT_ORDER else 99, s)) or ["train"]

    def split_bytes(name: str, split: str) -> int:
        """Arrow bytes of one split, in proportion to its rows (datasets wants num_bytes beside num_examples)."""
        total = tables[name].num_rows
        return int(tables[name].nbytes * per_split.get(name, {}).get(split, 0) / total) if total else 0
    meta = {
        "pretty_name": pretty_name,
        "license": license,
        "language": languages or ["en"],
        "size_categories": [size_category(tables[DEFAULT_TABLE].num_rows)],
        "task_categories": ["text-generation", "text-classification", "token-classification"],
        "tags": ["news", "broadsheet"],
        "configs": [
            {"config_name": name, **({"default": True} if name == DEFAULT_TABLE else {}),
             "data_files": [{"split": split, "path": f"{name}/{split}-*.parquet"} for split in splits_of(name)]}
            for name in loadable
        ],
        "dataset_info": [
            {"config_name": name, "features": _features(tables[name].schema),
             "splits": [{"name": split, "num_bytes": split_bytes(name, split),
                         "num_examples": per_split.get(name, {}).get(split, 0)}
                        for split in splits_of(name)]}
            for name in loadable
        ],
    }
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    rows = "\n".join(f"| `{name}` | {tables[name].num_rows} | {TABLE_DESCRIPTIONS.get(name, '')} |" for name in names)
    columns = "\n\n".join(
        f"**{name}**\n\n| column | type | meaning |\n|---|---|---|\n" + "\n".join(
            f"| `{field.name}` | {field.type}{'' if field.nullable else ', required'} | "
            f"{COLUMN_DESCRIPTIONS.get(field.name, '')} |" for field in tables[name].schema)
        for name in names
    )
    split_note = ", ".join(f"{split}: {rows}" for split, rows in per_split.get(DEFAULT_TABLE, {}).items())
    return f"""---
{header}---

# {pretty_name} — {dataset} {version}

Built by [Broadsheet](https://pypi.org/project/broadsheet/): cleaned, segmented and validated news text.
{counts.get('inputs', 0)} input records: {counts.get('published', 0)} published, \
{counts.get('quarantined', 0)} quarantined, {counts.get('duplicates', 0)} duplicates (exact or near copies).

## Version

This is version **{version}** of `{dataset}` ({f"follows {parent}" if parent else "the first release"}; see \
`CHANGELOG.md` for what changed). Versions follow Croissant 1.1's rules: MAJOR when documents are removed or \
changed or a column is removed or retyped, MINOR when documents or columns are only added, PATCH when only the \
files' encoding or the metadata changed. Documents per split: {split_note}. Splits are assigned by a hash of \
`doc_id`, so a document keeps its split in every version. `manifest.json` lists every file with its sha256, \
rows and the inputs; `SHA256SUMS` checks the files (`sha256sum -c SHA256SUMS`); `croissant.json` describes the \
release in MLCommons Croissant.

## Tables (configs)

| config | rows | what it holds |
|---|---|---|
{rows}

Tables with no rows in this release ({", ".join(f"`{n}`" for n in names if n not in loadable) or "none"}) \
are written as empty Parquet files but not declared as configs, because `datasets` cannot load an empty config.

All offsets (`start`, `end`) are character offsets into `documents.text`: `text[start:end]` is the span.

## Columns

{columns}

{chunks_section(chunking) if chunking is not None and "chunks" in tables else ""}## How it was built

{build_note}

## How to load it

Pin the version you used, so your results do not move when a new release appears:

```python
from datasets import load_dataset
docs = load_dataset("path/to/{dataset}/{version}", "documents", split="train")
sentences = load_dataset("path/to/{dataset}/{version}", "sentences", split="train")
# on the Hugging Face Hub each release is a tag:
docs = load_dataset("ORG/{dataset}", "documents", split="train", revision="v{version}")
```

```python
from pipeline import load_release  # Broadsheet's loader: local folders, s3://..., hf://datasets/...
docs = load_release("path/to/{dataset}", version="{version}", table="documents")   # a datasets.Dataset
frame = load_release("s3://bucket/releases/{dataset}", version="{version}", as_pandas=True)
```

```python
import pandas as pd, duckdb
df = pd.read_parquet("path/to/{dataset}/{version}/documents")
duckdb.sql("select title, n_words from 'path/to/{dataset}/{version}/documents/*.parquet'")
```
"""
