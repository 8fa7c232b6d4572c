"""Throughput of each enricher on the BBC corpus (documents/s, words/s), and how much of the NER time is
spaCy itself versus Broadsheet's code around it.

    .venv/bin/python bench/enrich.py [--corpus ../shared/corpora/bbc-news] [--limit N]

Every figure is whole-process wall time of one pass over the same documents (read, cleaned and segmented
once beforehand); `x baseline` divides by the time of clean + segment measured in the same run, because
absolute numbers on a shared, loaded machine are noisy.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.clean import Cleaner
from pipeline.config import BuildConfig, EnrichConfig
from pipeline.dedup import find_duplicates, signatures_table
from pipeline.document import Document
from pipeline.enrich.entities import EntitiesStep
from pipeline.enrich.keywords import KeywordsStep
from pipeline.enrich.language import LanguageStep, detector
from pipeline.enrich.nlp import ParseStep, load_model, needed_components
from pipeline.enrich.quality import QualityStep
from pipeline.enrich.quotes import QuotesStep
from pipeline.segment import Segmenter
from pipeline.shards import read_inputs
from pipeline.sources import discover_inputs
from pipeline.tables import documents_to_tables

ROOT = Path(__file__).resolve().parents[1]


def timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "bbc-news"))
    parser.add_argument("--limit", type=int, default=0, help="first N articles only (0: all)")
    args = parser.parse_args()
    config = BuildConfig()
    enrich = EnrichConfig()
    files = [f for f in discover_inputs([args.corpus]) if f.relative_path.endswith(".txt")]
    files = files[:args.limit] if args.limit else files

    baseline, docs = timed(lambda: [d for d in Segmenter().run(Cleaner(config.limits).run(
        read_inputs(tuple(files), config))) if isinstance(d, Document)])
    n_docs = len(docs)
    n_words = sum(len(re.findall(r"\w+", d.text)) for d in docs)
    paragraphs = [d.text[p.start:p.end] for d in docs for p in d.paragraphs]
    rows: list[tuple[str, float]] = [("clean + segment (baseline)", baseline)]

    build, _ = timed(lambda: detector(enrich.languages))
    first, _ = timed(lambda: LanguageStep(enrich.languages).process(docs[0]))
    rows.append(("language: lingua detector build + model load (once per process)", build + first))
    rows.append(("language", timed(lambda: list(LanguageStep(enrich.languages).run(docs)))[0]))

    # NER alone: spaCy's nlp.pipe on the paragraphs, then the same through our steps, timed apart
    ner = needed_components(entities=True, quotes=False)
    load, nlp = timed(lambda: load_model(enrich.spacy_model, ner))
    rows.append(("spaCy model load (NER components, once per process)", load))
    spacy_ner, _ = timed(lambda: [len(d.ents) for d in nlp.pipe(paragraphs, batch_size=enrich.spacy_batch_size)])
    parse = ParseStep(enrich.spacy_model, ner, enrich.spacy_languages, enrich.spacy_batch_size,
                      enrich.max_paragraph_chars)
    parse_ner, parsed_docs = timed(lambda: list(parse.run(docs)))
    entities, _ = timed(lambda: list(EntitiesStep().run(parsed_docs)))
    rows.append(("entities: spaCy nlp.pipe alone (ner)", spacy_ner))
    rows.append(("entities: ParseStep (batching around nlp.pipe)", parse_ner))
    rows.append(("entities: EntitiesStep (our code over the parses)", entities))

    # quotes need the full parse (tagger, parser, lemmatizer) besides NER
    full = needed_components(entities=True, quotes=True)
    load, nlp_full = timed(lambda: load_model(enrich.spacy_model, full))
    spacy_full, _ = timed(lambda: [len(d) for d in nlp_full.pipe(paragraphs, batch_size=enrich.spacy_batch_size)])
    parse_full = ParseStep(enrich.spacy_model, full, enrich.spacy_languages, enrich.spacy_batch_size,
                           enrich.max_paragraph_chars)
    parsed, parsed_docs = timed(lambda: list(parse_full.run(docs)))
    parsed_docs = list(EntitiesStep().run(parsed_docs))
    quotes, _ = timed(lambda: list(QuotesStep().run(parsed_docs)))
    rows.append(("entities + quotes: spaCy nlp.pipe alone (full pipeline)", spacy_full))
    rows.append(("entities + quotes: ParseStep (full pipeline)", parsed))
    rows.append(("quotes: QuotesStep (our code over the parses)", quotes))
    for doc in parsed_docs:
        doc.annotations.clear()

    rows.append(("keywords (YAKE)", timed(lambda: list(KeywordsStep(enrich.keywords_max_words,
                                                                    enrich.keywords_top).run(docs)))[0]))
    rows.append(("quality signals", timed(lambda: list(QualityStep(enrich.quality_filter).run(docs)))[0]))
    table = documents_to_tables(docs)["documents"]
    sig_time, signatures = timed(lambda: signatures_table(table, config.dedup))
    rows.append(("dedup: hash + MinHash signatures (per shard)", sig_time))
    lsh_time, matches = timed(lambda: find_duplicates(table, signatures, config.dedup))
    rows.append(("dedup: LSH + Jaccard check (at publish)", lsh_time))

    print(f"{n_docs} documents, {n_words} words, {len(paragraphs)} paragraphs from {args.corpus}")
    print(f"{'step':64} {'seconds':>8} {'docs/s':>9} {'words/s':>10} {'x baseline':>10}")
    for name, seconds in rows:
        once = "once per process" in name
        print(f"{name:64} {seconds:8.2f} {'' if once else f'{n_docs / seconds:9.1f}':>9} "
              f"{'' if once else f'{n_words / seconds:10.0f}':>10} {seconds / baseline:10.2f}")
    ours = entities + max(parse_ner - spacy_ner, 0.0)
    print(f"NER: spaCy nlp.pipe {spacy_ner:.2f} s; our code around it {ours:.2f} s (EntitiesStep {entities:.2f} s "
          f"+ ParseStep overhead {max(parse_ner - spacy_ner, 0.0):.2f} s) = "
          f"{100 * ours / (spacy_ner + ours):.1f}% of NER time")
    print(f"full parse: spaCy nlp.pipe {spacy_full:.2f} s, ParseStep {parsed:.2f} s; quotes add {quotes:.2f} s")
    print(f"duplicates found: {len(matches)} ({sum(m.method == 'near_minhash' for m in matches)} near)")


if __name__ == "__main__":
    main()
