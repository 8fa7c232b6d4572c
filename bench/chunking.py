"""Chunking throughput on a corpus (default: the BBC corpus beside the checkout), against segmentation alone.

Runs in one process, in this order: load the tokenizer (timed on its own: a one-off cost per worker
process); read+clean+segment every document (the baseline); chunk those segmented documents (chunking
alone); read+clean+segment+chunk (the pipeline as a shard runs it). Each timed part is repeated and the
median kept, since the machine is shared and single runs are noisy. Prints a table and one JSON line.

    .venv/bin/python bench/chunking.py [--corpus ../shared/corpora/bbc-news] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path

from pipeline.chunk import Chunker
from pipeline.clean import Cleaner
from pipeline.config import BuildConfig, Chunking
from pipeline.document import Document
from pipeline.segment import Segmenter
from pipeline.shards import read_inputs
from pipeline.sources import discover_inputs
from pipeline.tokens import load_tokenizer

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc-news"


def segmented(files, config: BuildConfig) -> list[Document]:
    stream = Segmenter().run(Cleaner(config.limits).run(read_inputs(tuple(files), config)))
    return [doc for doc in stream if isinstance(doc, Document)]


def chunked(files, config: BuildConfig) -> list[Document]:
    stream = Segmenter().run(Cleaner(config.limits).run(read_inputs(tuple(files), config)))
    stream = Chunker(config.chunking).run(stream)
    return [doc for doc in stream if isinstance(doc, Document)]


def timed(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=Chunking.max_tokens)
    parser.add_argument("--overlap-sentences", type=int, default=Chunking.overlap_sentences)
    parser.add_argument("--tokenizer", default=Chunking.tokenizer)
    args = parser.parse_args()
    config = BuildConfig(chunking=Chunking(args.max_tokens, args.overlap_sentences, args.tokenizer))
    wall_start = time.perf_counter()
    files = discover_inputs([args.corpus])

    start = time.perf_counter()
    load_tokenizer(config.chunking.tokenizer)
    load_seconds = time.perf_counter() - start

    segment_seconds, docs = timed(lambda: segmented(files, config), args.repeat)
    chunker = Chunker(config.chunking)
    chunk_seconds, _ = timed(lambda: [chunker.process(doc) for doc in docs], args.repeat)
    full_seconds, full = timed(lambda: chunked(files, config), args.repeat)

    rows = [row for doc in full for row in doc.rows["chunks"]]
    n_chunks, n_tokens = len(rows), sum(row["n_tokens"] for row in rows)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "corpus": args.corpus, "files": len(files), "documents": len(full), "chunks": n_chunks,
        "chunk_tokens": n_tokens, "settings": config.chunking.__dict__, "repeat": args.repeat,
        "tokenizer_load_s": round(load_seconds, 2),
        "segment_s": round(segment_seconds, 3), "chunk_only_s": round(chunk_seconds, 3),
        "segment_and_chunk_s": round(full_seconds, 3),
        "chunk_only_chunks_per_s": round(n_chunks / chunk_seconds),
        "chunk_only_docs_per_s": round(len(docs) / chunk_seconds),
        "chunk_only_tokens_per_s": round(n_tokens / chunk_seconds),
        "pipeline_docs_per_s": round(len(full) / full_seconds), "pipeline_chunks_per_s": round(n_chunks / full_seconds),
        "ratio_segment_and_chunk_vs_segment": round(full_seconds / segment_seconds, 2),
        "process_wall_s": round(time.perf_counter() - wall_start, 1),
        "process_cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "max_rss_mb": round(usage.ru_maxrss / 1024),
    }
    width = max(len(key) for key in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
