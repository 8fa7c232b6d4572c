"""The spaCy pipeline: loaded once per process, run with `nlp.pipe` over paragraphs in batches.

Paragraphs (not whole documents) are the unit: spaCy's memory grows with the text length, offsets stay
simple (paragraph start + character offset) and quotes rarely cross a paragraph. Only the components the
enabled enrichers need are loaded (`exclude`), which is most of the speed-up when quotes are off.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.base import DocumentStep
from pipeline.document import Document, Rejection

PARSES = "spacy_paragraphs"  # key in Document.annotations: list of ParsedParagraph
NER_COMPONENTS = {"ner"}
# quotes need the dependency parse (subject of the cue verb) and lemmas of the cue verbs
PARSE_COMPONENTS = {"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"}


@dataclass
class ParsedParagraph:
    index: int  # paragraph index in the document
    offset: int  # start of the paragraph in documents.text
    doc: Doc


def needed_components(entities: bool, quotes: bool) -> frozenset[str]:
    needed = set()
    if entities or quotes:
        needed |= NER_COMPONENTS
    if quotes:
        needed |= PARSE_COMPONENTS
    return frozenset(needed)


@lru_cache(maxsize=2)
def load_model(name: str, components: frozenset[str]) -> Language:
    """Load the installed pipeline `name` (a package or a path) keeping only `components`."""
    try:
        info = spacy.info(name)  # reads meta.json without building the pipeline
    except Exception as error:  # noqa: BLE001 - spaCy raises several types for a missing model
        raise RuntimeError(f"spaCy model {name!r} is not installed ({error}); install it with pip or set "
                           f"enrich.spacy_model to an installed pipeline") from error
    pipes = set(info.get("pipeline", [])) | set(info.get("components", []))
    missing = components - pipes
    if missing:
        raise RuntimeError(f"spaCy model {name!r} has no {sorted(missing)} component(s) that the enabled "
                           "enrichers need")
    return spacy.load(name, exclude=sorted(pipes - components))


class ParseStep(DocumentStep):
    """Parses every paragraph of the documents in `spacy_languages`; the parses go to `doc.annotations`."""

    name = "enrich"

    def __init__(self, model: str, components: frozenset[str], languages: tuple[str, ...], batch_size: int,
                 max_paragraph_chars: int) -> None:
        self.model, self.components = model, components
        self.languages = set(languages)
        self.batch_size = batch_size
        self.max_paragraph_chars = max_paragraph_chars

    def run(self, docs: Iterable[Document | Rejection]) -> Iterator[Document | Rejection]:
        """Collect documents until a batch holds `batch_size` paragraphs, parse them together, yield in order."""
        started = time.perf_counter()
        nlp = load_model(self.model, self.components)
        self.seconds += time.perf_counter() - started  # (the batches time themselves in `_flush`)
        pending: list[Document | Rejection] = []
        paragraphs = 0
        for item in docs:
            pending.append(item)
            if isinstance(item, Document) and self._wanted(item):
                paragraphs += len(item.paragraphs)
            if paragraphs >= self.batch_size:
                yield from self._flush(nlp, pending)
                pending, paragraphs = [], 0
        yield from self._flush(nlp, pending)

    def process(self, doc: Document) -> Document:  # one document alone: the batch path does the work
        self._parse(load_model(self.model, self.components), [doc])
        return doc

    def _wanted(self, doc: Document) -> bool:
        return (doc.language or "en") in self.languages

    def _flush(self, nlp: Language, items: list[Document | Rejection]) -> Iterator[Document | Rejection]:
        started = time.perf_counter()
        docs = [item for item in items if isinstance(item, Document) and self._wanted(item)]
        try:
            self._parse(nlp, docs)
        except Exception:  # noqa: BLE001 - find the document at fault: parse one by one, reject only it
            failed = {}
            for doc in docs:
                try:
                    self._parse(nlp, [doc])
                except Exception as error:  # noqa: BLE001
                    failed[id(doc)] = self.reject(doc, "spacy_error", f"{type(error).__name__}: {error}")
            items = [failed.get(id(item), item) for item in items]
        self.seconds += time.perf_counter() - started  # `run` is overridden: without this the parse counts as read
        yield from items

    def _parse(self, nlp: Language, docs: list[Document]) -> None:
        inputs = []
        for n, doc in enumerate(docs):
            doc.annotations[PARSES] = []
            for index, span in enumerate(doc.paragraphs):
                if span.end - span.start <= self.max_paragraph_chars:
                    inputs.append((doc.text[span.start:span.end], (n, index, span.start)))
        for parsed, (n, index, offset) in nlp.pipe(inputs, as_tuples=True, batch_size=self.batch_size):
            docs[n].annotations[PARSES].append(ParsedParagraph(index, offset, parsed))


class DropAnnotations(DocumentStep):
    """The last enrich step: frees the parses once every enricher has read them."""

    name = "enrich"

    def process(self, doc: Document) -> Document:
        doc.annotations.clear()
        return doc
