"""Corpus-level duplicates: exact (same text once whitespace is collapsed and case folded) and near
(MinHash LSH over word shingles, with datasketch).

The per-document part (normalised-text hash and MinHash signature) is computed in each shard and stored
in its folder (`signatures.parquet`), so publishing only runs the LSH index over finished signatures.
Grouping is deterministic: documents are visited by (source_path, doc_id) and the first of each group is
the kept representative. A near-duplicate joins a group only if it is similar to the group's
representative itself (not through a chain of pairwise matches, which merges different articles), and
every LSH candidate is confirmed with the exact Jaccard similarity of the shingle sets.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as arrow
from datasketch import MinHash, MinHashLSH

from pipeline.config import DedupConfig

SCHEME = "affine32"  # datasketch's hashing scheme, fixed so stored signatures stay comparable
SEED = 1
SIGNATURE_SCHEMA = arrow.schema([
    arrow.field("doc_id", arrow.string(), False), arrow.field("text_hash", arrow.string(), False),
    arrow.field("minhash", arrow.list_(arrow.uint32())),
])
_WORD = re.compile(r"[^\W_]+")
# Shingle sets of LSH candidates kept for the exact Jaccard check: bounded, since a news article's set takes
# ~70 KB and an unbounded cache held every candidate of the corpus (~300 MB at 20k documents).
SHINGLE_CACHE_DOCUMENTS = 1024


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int) -> set[str]:
    """Word n-grams of the case-folded words (punctuation ignored); a short text is one shingle."""
    words = _WORD.findall(text.casefold())
    if len(words) <= size:
        return {" ".join(words)}
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple:
    """The hash permutations of (num_perm, SEED, SCHEME): drawn once, not per document (a tenth of its cost)."""
    return MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations


def minhash(text: str, config: DedupConfig) -> MinHash:
    """(The order of shingles does not matter: a signature keeps the minimum of each permutation.)"""
    signature = MinHash(num_perm=config.num_perm, seed=SEED, scheme=SCHEME, permutations=_permutations(config.num_perm))
    signature.update_batch([shingle.encode("utf-8") for shingle in shingles(text, config.shingle_words)])
    return signature


def signatures_table(documents: arrow.Table, config: DedupConfig) -> arrow.Table:
    ids, texts = documents["doc_id"].to_pylist(), documents["text"].to_pylist()
    rows = [{"doc_id": doc_id, "text_hash": text_hash(text),
             "minhash": minhash(text, config).hashvalues.tolist() if config.near else None}
            for doc_id, text in zip(ids, texts, strict=True)]
    return arrow.Table.from_pylist(rows, schema=SIGNATURE_SCHEMA)


class _BandBuckets:
    """MinHash LSH banding as arrays: rows whose values agree on all of a band's positions share a bucket.

    The same candidates as datasketch's `MinHashLSH` with the same (bands, rows) (taken from it), which keeps
    a dict entry, a bytes key and a list per document and band: about 8 KB a document, 800 MB at 100k
    documents in the publishing process. Here a band is a fixed-width byte string per row, grouped by
    `np.unique`, and only the buckets holding two documents or more are kept as lists.
    """

    def __init__(self, matrix: np.ndarray, config: DedupConfig) -> None:
        params = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
        self.bucket_of: list[np.ndarray] = []  # per band: each row's bucket number
        self.members: list[dict[int, np.ndarray]] = []  # per band: bucket -> its rows (ascending), if 2 or more
        for band in range(params.b):
            values = np.ascontiguousarray(matrix[:, band * params.r:(band + 1) * params.r])
            keys = values.view(np.dtype((np.void, values.dtype.itemsize * params.r))).ravel()
            _, bucket_of, sizes = np.unique(keys, return_inverse=True, return_counts=True)
            shared = np.flatnonzero(sizes[bucket_of] > 1)
            self.bucket_of.append(bucket_of)
            self.members.append({int(b): rows for b, rows in _group(bucket_of[shared], shared)})

    def earlier(self, row: int, indexed: np.ndarray) -> set[int]:
        """Rows before `row`, still in the index, that share a band with it (what a query would return)."""
        found: set[int] = set()
        for bucket_of, members in zip(self.bucket_of, self.members, strict=True):
            rows = members.get(int(bucket_of[row]))
            if rows is not None:
                before = rows[:np.searchsorted(rows, row)]
                found.update(before[indexed[before]].tolist())
        return found


def _group(buckets: np.ndarray, rows: np.ndarray):
    """(bucket, its rows in ascending order) for each bucket, from parallel arrays."""
    if not len(rows):
        return iter(())
    order = np.lexsort((rows, buckets))
    buckets, rows = buckets[order], rows[order]
    starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
    return zip(buckets[starts].tolist(), np.split(rows, starts[1:]), strict=True)


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass(frozen=True)
class Match:
    doc_id: str
    duplicate_of: str
    method: str  # exact_text | near_minhash
    similarity: float


def find_duplicates(documents: arrow.Table, signatures: arrow.Table, config: DedupConfig,
                    text_of: Callable[[str], str] | None = None) -> list[Match]:
    """Every document that repeats an earlier one (by source_path), and which representative it repeats.

    `documents` needs only `doc_id` and `source_path`; texts are read through `text_of` for the few LSH
    candidates to confirm, so a corpus never has to sit in memory (default: the `text` column).
    """
    if text_of is None:
        text_of = dict(zip(documents["doc_id"].to_pylist(), documents["text"].to_pylist(), strict=True)).__getitem__
    order = sorted(zip(documents["source_path"].to_pylist(), documents["doc_id"].to_pylist(), strict=True))
    row_of = {doc_id: n for n, doc_id in enumerate(signatures["doc_id"].to_pylist())}
    hashes = signatures["text_hash"].to_pylist()
    matches: list[Match] = []
    first_by_hash: dict[str, str] = {}
    representatives: list[str] = []
    for _, doc_id in order:
        digest = hashes[row_of[doc_id]]
        if config.exact_text and digest in first_by_hash:
            matches.append(Match(doc_id, first_by_hash[digest], "exact_text", 1.0))
            continue
        first_by_hash.setdefault(digest, doc_id)
        representatives.append(doc_id)
    if not config.near:
        return matches

    minhashes = signatures["minhash"].combine_chunks()  # one flat uint32 buffer, not a Python list per row
    flat = minhashes.values.to_numpy(zero_copy_only=False)
    if len(flat) != config.num_perm * len(minhashes):
        raise ValueError(f"stored MinHash signatures are not all {config.num_perm} values long: the shards were "
                         f"built with other dedup settings; rebuild them")
    matrix = flat.reshape(len(minhashes), config.num_perm)[[row_of[doc_id] for doc_id in representatives]]
    buckets = _BandBuckets(matrix, config)
    rank = {doc_id: n for n, doc_id in enumerate(representatives)}

    @lru_cache(maxsize=SHINGLE_CACHE_DOCUMENTS)
    def shingles_of(doc_id: str) -> frozenset[str]:
        return frozenset(shingles(text_of(doc_id), config.shingle_words))

    indexed = np.zeros(len(representatives), dtype=bool)  # representatives so far: what a query can return
    for n, doc_id in enumerate(representatives):
        best: tuple[float, int, str] | None = None
        for k in buckets.earlier(n, indexed):
            candidate = representatives[k]
            similarity = jaccard(shingles_of(doc_id), shingles_of(candidate))
            if similarity >= config.threshold and (best is None or (-similarity, rank[candidate]) < best[:2]):
                best = (-similarity, rank[candidate], candidate)
        if best is None:
            indexed[n] = True
        else:
            matches.append(Match(doc_id, best[2], "near_minhash", round(-best[0], 4)))
    # exact copies of a document that was itself found to be a near-duplicate point to the final representative
    final = {m.doc_id: m for m in matches if m.method == "near_minhash"}
    return [Match(m.doc_id, final[m.duplicate_of].duplicate_of, "near_minhash", final[m.duplicate_of].similarity)
            if m.duplicate_of in final else m for m in matches]
