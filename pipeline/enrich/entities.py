"""Named entities from spaCy's NER, with spans tidied and a canonical form per document.

spaCy's spans are adjusted in two general ways before publishing: a possessive ending ("Korea’s") is
cut off, and a name cut at a hyphen by the tokenizer ("Ri Son" + "-gwon") is extended to the end of the
word. Within a document a short PERSON mention ("Ri", "Trump") resolves to the longest PERSON mention
that contains it as whole words ("Ri Son-gwon", "Donald Trump"); a short mention that NER labelled as
something else but is a word of a person's name in the same article is relabelled PERSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.base import DocumentStep
from pipeline.document import Document
from pipeline.enrich.nlp import PARSES

MENTIONS = "entity_mentions"  # key in Document.annotations: list of Mention, in text order
_HYPHEN_TAIL = re.compile(r"(?:[-‐‑][^\W_]+)+")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"}
_ARTICLE = re.compile(r"^(?:the|The)\s+")
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lord", "lady", "rev"}


def _name_words(name: str) -> list[str]:
    """The words of a person's name without a leading title ("Ms Diemont" -> ["Diemont"])."""
    words = name.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in _TITLES:
        words = words[1:]
    return words


@dataclass
class Mention:
    start: int
    end: int
    text: str
    label: str
    canonical: str = ""
    paragraph_index: int = 0


def _tidy(text: str, start: int, end: int, label: str, limit: int) -> tuple[int, int]:
    """Trim a possessive ending and extend a person's name cut at a hyphen (up to `limit`, the next entity)."""
    if label == "PERSON":
        tail = _HYPHEN_TAIL.match(text, end)
        if tail and tail.end() <= limit:
            end = tail.end()
    if label in _NAME_LABELS:
        possessive = _POSSESSIVE.search(text[start:end])
        if possessive and possessive.start() > 0 and label != "DATE":
            end = start + possessive.start()
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in ".)":
        end -= 1
    return start, end


def _contains_words(long: list[str], short: list[str]) -> bool:
    n = len(short)
    return any(long[i:i + n] == short for i in range(len(long) - n + 1))


def resolve(mentions: list[Mention]) -> list[Mention]:
    """Fill `canonical` (and fix labels of short person names) within one document."""
    people = [m.text for m in mentions if m.label == "PERSON"]
    first_seen: dict[str, int] = {}
    for position, name in enumerate(people):
        first_seen.setdefault(name, position)
    multiword = sorted({name for name in people if len(_name_words(name)) > 1},
                       key=lambda name: (-len(_name_words(name)), -len(name), first_seen[name]))
    for mention in mentions:
        words = _name_words(mention.text)
        if mention.label != "PERSON" and len(words) == 1 and mention.label in _NAME_LABELS and any(
                words[0] in (_name_words(name)[0], _name_words(name)[-1]) for name in multiword):
            mention.label = "PERSON"
        if mention.label == "PERSON":
            longer = [name for name in multiword if len(_name_words(name)) > len(words) and _contains_words(
                _name_words(name), words)]
            mention.canonical = longer[0] if longer else mention.text
        elif mention.label in _NAME_LABELS:
            mention.canonical = _ARTICLE.sub("", mention.text)
        else:
            mention.canonical = mention.text
    return mentions


def person_name(text: str, mentions: list[Mention]) -> str | None:
    """The canonical person a bare name refers to ("Ri" -> "Ri Son-gwon"), or None if no person matches."""
    words = _name_words(text)
    for mention in mentions:
        if mention.label == "PERSON" and _contains_words(mention.canonical.split(), words):
            return mention.canonical
    return None


def mentions_of(doc: Document) -> list[Mention]:
    mentions = []
    for paragraph in doc.annotations.get(PARSES, []):
        ents = paragraph.doc.ents
        for n, ent in enumerate(ents):
            limit = paragraph.offset + (ents[n + 1].start_char if n + 1 < len(ents) else len(paragraph.doc.text))
            start, end = _tidy(doc.text, paragraph.offset + ent.start_char, paragraph.offset + ent.end_char,
                               ent.label_, limit)
            if end > start:
                mentions.append(Mention(start, end, doc.text[start:end], ent.label_,
                                        paragraph_index=paragraph.index))
    mentions.sort(key=lambda m: (m.start, m.end))
    return resolve(mentions)


class EntitiesStep(DocumentStep):
    """Finds the mentions (quotes use them for speakers); publishes them as `entities` rows if asked to."""

    name = "enrich"

    def __init__(self, publish: bool = True) -> None:
        self.publish = publish

    def process(self, doc: Document) -> Document:
        mentions = mentions_of(doc)
        doc.annotations[MENTIONS] = mentions
        if self.publish:
            doc.rows["entities"] = [{"start": m.start, "end": m.end, "text": m.text, "label": m.label,
                                     "canonical": m.canonical} for m in mentions]
        return doc
