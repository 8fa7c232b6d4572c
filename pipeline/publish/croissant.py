"""croissant.json: the release described in MLCommons Croissant 1.1 JSON-LD.

Written as plain JSON (same shape and @context as `mlcroissant.Metadata.to_json()` produces) so that
publishing does not depend on mlcroissant and its RDF stack; the tests validate the output with
mlcroissant itself. Every Parquet file is a `FileObject` with its sha256; each table is a `FileSet`
(`<table>/*.parquet`, all splits) and a `RecordSet` whose fields read the Parquet columns.

No timestamp is written unless SOURCE_DATE_EPOCH is set (then it is `datePublished`), so the file is
deterministic and can be listed in SHA256SUMS; the build time lives in manifest.json.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pyarrow as arrow

from pipeline.schemas import COLUMN_DESCRIPTIONS, SORT_KEYS, TABLE_DESCRIPTIONS

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/", "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract", "field": "cr:field",
    "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject", "fileSet": "cr:fileSet", "format": "cr:format",
    "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key",
    "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated", "replace": "cr:replace",
    "samplingRate": "cr:samplingRate", "sc": "https://schema.org/", "separator": "cr:separator",
    "source": "cr:source", "subField": "cr:subField", "transform": "cr:transform",
}
PARQUET = "application/x-parquet"


def data_type(dtype: arrow.DataType) -> str:
    if arrow.types.is_integer(dtype):
        return "sc:Integer"
    if arrow.types.is_floating(dtype):
        return "sc:Float"
    if arrow.types.is_boolean(dtype):
        return "sc:Boolean"
    if arrow.types.is_date(dtype) or arrow.types.is_timestamp(dtype):
        return "sc:Date"
    return "sc:Text"


def render_croissant(dataset: str, version: str, pretty_name: str, license: str, languages: list[str],
                     schemas: dict[str, arrow.Schema], files: list[dict], url: str | None = None) -> dict:
    """The JSON-LD document; `files` are the manifest's entries (path, sha256, bytes)."""
    distribution: list[dict] = [
        {"@type": "cr:FileObject", "@id": f["path"], "name": f["path"], "contentUrl": f["path"],
         "contentSize": f"{f['bytes']} B", "encodingFormat": PARQUET, "sha256": f["sha256"]}
        for f in sorted(files, key=lambda f: f["path"])
    ]
    record_sets = []
    for table, schema in schemas.items():
        if not any(f["path"].startswith(f"{table}/") for f in files):
            continue
        distribution.append({"@type": "cr:FileSet", "@id": f"{table}-files", "name": f"{table}-files",
                             "description": f"Parquet files of the {table} table (all splits).",
                             "encodingFormat": PARQUET, "includes": f"{table}/*.parquet"})
        fields = [{"@type": "cr:Field", "@id": f"{table}/{field.name}", "name": field.name,
                   "description": COLUMN_DESCRIPTIONS.get(field.name, ""), "dataType": data_type(field.type),
                   "source": {"fileSet": {"@id": f"{table}-files"}, "extract": {"column": field.name}}}
                  for field in schema]
        record_set = {"@type": "cr:RecordSet", "@id": table, "name": table,
                      "description": TABLE_DESCRIPTIONS.get(table, ""), "field": fields}
        keys = [k for k in SORT_KEYS.get(table, []) if k in schema.names]
        if keys and table != "quarantine":  # quarantine's sort key is an ordering, not a unique key
            record_set["key"] = [{"@id": f"{table}/{k}"} for k in keys]
        record_sets.append(record_set)
    document = {
        "@context": CONTEXT, "@type": "sc:Dataset", "name": dataset,
        "description": f"{pretty_name}: news text cleaned, segmented and validated by Broadsheet.",
        "conformsTo": CONFORMS_TO,
        "citeAs": f"@misc{{{dataset.replace('-', '_')}_{version.replace('.', '_')}, title={{{pretty_name}}}, "
                  f"note={{version {version}}}}}",
        "license": license, "inLanguage": languages, "keywords": ["news", "text", "broadsheet"],
        "url": url or f"https://huggingface.co/datasets/{dataset}", "version": version,
        "distribution": distribution, "recordSet": record_sets,
    }
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        document["datePublished"] = datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return document
