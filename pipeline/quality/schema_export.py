"""Export the contracts (pandera's own YAML/JSON), so a consumer can check their copy of a release."""

from __future__ import annotations

import json

import yaml

from pipeline.schemas import MODELS


def export_contracts(fmt: str, table: str | None = None) -> str:
    """One table: exactly pandera's `to_yaml`/`to_json` (loadable with `DataFrameSchema.from_yaml`).
    All tables: a mapping table -> that same document."""
    if fmt not in ("yaml", "json"):
        raise ValueError(f"format must be yaml or json, not {fmt!r}")
    if table is not None:
        if table not in MODELS:
            raise KeyError(f"no contract for table {table!r} (tables: {', '.join(MODELS)})")
        schema = MODELS[table].to_schema()
        return schema.to_yaml() if fmt == "yaml" else schema.to_json(indent=2) + "\n"
    documents = {name: json.loads(model.to_schema().to_json()) for name, model in MODELS.items()}
    if fmt == "json":
        return json.dumps(documents, indent=2) + "\n"
    header = "# Broadsheet contracts (pandera). Load one table with:\n" \
             "#   pandera.pandas.DataFrameSchema.from_yaml(yaml.safe_dump(data[TABLE]))\n"
    return header + yaml.safe_dump(documents, sort_keys=False)
