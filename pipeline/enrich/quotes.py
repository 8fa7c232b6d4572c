"""Direct quotes and who said them, from the quotation marks and spaCy's dependency parse.

For each quoted stretch of a paragraph:
- `partial` is true for a quoted phrase inside the reporter's own sentence (`vowed it would “never again”
  ...`): the quote does not open its sentence (or follow a `said:`/`said,` lead-in), starts in lower case,
  or does not end as a clause does.
- the cue is a speech verb (said, added, vowed, accused, ...) that governs the quote in the parse, or the
  nearest one in the attribution text around it (the rest of its sentence outside quotation marks);
- the speaker is the grammatical subject of the cue (`nsubj`), mapped to the canonical entity (so "Ri"
  becomes "Ri Son-gwon"); a pronoun subject resolves to the person who was the subject of a recent
  sentence (`speaker_source = pronoun`);
- a quote with no attribution of its own continues the speaker of the quote before it in the same
  paragraph (`same_paragraph`) or, when it opens its paragraph, of the previous paragraph's last quote or
  its `said:` lead-in (`previous_paragraph`). Unattributed quoted phrases (scare quotes, titles) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from pipeline.base import DocumentStep
from pipeline.document import Document
from pipeline.enrich.entities import MENTIONS, Mention, person_name
from pipeline.enrich.nlp import PARSES, ParsedParagraph

_CUES = """
say tell add vow continue accuse warn insist state explain note claim argue ask declare announce write reply
urge suggest admit stress describe promise pledge acknowledge concede caution complain predict recall remark
respond tweet post believe think confirm deny emphasise emphasize demand threaten conclude observe estimate
agree comment reveal boast joke quip laugh shout cry whisper mutter plead protest repeat reiterate assert
maintain contend brand dismiss criticise criticize hail welcome praise condemn label term dub quote recount
testify allege charge counter retort exclaim scream yell sigh lament concur advise inform assure
"""
CUE_LEMMAS = frozenset(_CUES.split())
PERSONAL_PRONOUNS = frozenset({"he", "she"})
_PAIRS = {"“": "”", "«": "»", "„": "“", '"': '"'}
# the end of a sentence: terminal punctuation, not after an initial (U.S.) or a title, then a capital
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bMrs)(?<!\bGen)(?<!\bGov)(?<!\bSen)(?<!\bRep)"
    r"[.!?…][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_CLAUSE_END = ".,!?…:;—–-"


@dataclass
class Quote:
    open_at: int  # paragraph coordinates: the opening mark, the content, the closing mark (or the end)
    start: int
    end: int
    close_at: int
    partial: bool = False
    speaker: str | None = None
    cue: str | None = None
    source: str | None = None


def find_quotes(text: str) -> list[Quote]:
    """Quoted stretches of one paragraph; an unclosed quote runs to the paragraph's end (continued quotes)."""
    quotes, i = [], 0
    while i < len(text):
        mark = text[i]
        if mark in _PAIRS and (mark != '"' or i == 0 or text[i - 1].isspace() or text[i - 1] in "([—–-:"):
            close = text.find(_PAIRS[mark], i + 1)
            close = len(text) if close < 0 else close
            start, end = i + 1, close
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if any(ch.isalnum() for ch in text[start:end]):
                quotes.append(Quote(i, start, end, close))
            i = close + 1
        else:
            i += 1
    return quotes


def _attribution_window(text: str, quotes: list[Quote], n: int) -> tuple[int, int, int, int]:
    """(before_start, before_end, after_start, after_end): the quote's sentence outside the quotation marks."""
    quote = quotes[n]
    floor = quotes[n - 1].close_at + 1 if n else 0
    before_start = floor
    for match in _SENTENCE_END.finditer(text, floor):  # no endpos: the look-ahead must see past the mark
        if match.end() <= quote.open_at:
            before_start = match.end()
    ceiling = quotes[n + 1].open_at if n + 1 < len(quotes) else len(text)
    after_start = min(quote.close_at + 1, len(text))
    match = _SENTENCE_END.search(text, after_start, ceiling)
    after_end = match.start() + 1 if match else ceiling
    return before_start, quote.open_at, after_start, after_end


def _sentence_bounds(text: str, quotes: list[Quote], n: int) -> tuple[int, int]:
    """The sentence around quote n, ignoring sentence ends inside quotation marks (quotes hold sentences)."""
    quote = quotes[n]
    ends = [m for m in _SENTENCE_END.finditer(text) if not _inside(m.start(), quotes)]
    start = max((m.end() for m in ends if m.end() <= quote.open_at), default=0)
    end = min((m.start() + 1 for m in ends if m.start() > quote.close_at), default=len(text))
    return start, end


def _is_partial(text: str, quote: Quote, before: str) -> bool:
    content = text[quote.start:quote.end]
    lead_in = before.strip()
    opens_sentence = not lead_in or lead_in.endswith((":", ","))
    after = text[quote.close_at + 1:quote.close_at + 2]
    ends_clause = quote.close_at >= len(text) or content[-1] in _CLAUSE_END or (after and after in ",.!?;:")
    return not (opens_sentence and (content[0].isupper() or content[0].isdigit()) and ends_clause)


def _is_cue(token: Token) -> bool:
    if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to":
        return True
    return token.lemma_.lower() in CUE_LEMMAS and (token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"))


def _inside(position: int, quotes: list[Quote]) -> bool:
    return any(q.open_at <= position <= q.close_at for q in quotes)


def _find_cue(parsed: Doc, quotes: list[Quote], n: int, window: tuple[int, int, int, int]) -> Token | None:
    quote = quotes[n]
    outside = [t for t in parsed if not _inside(t.idx, quotes)]
    sentence_start, sentence_end = _sentence_bounds(parsed.text, quotes, n)
    # 1. a cue verb of the quote's own sentence that the quote hangs from in the parse tree
    for token in parsed:
        if quote.start <= token.idx < quote.end and not _inside(token.head.idx, quotes):
            for ancestor in [token.head, *token.head.ancestors]:
                if (not _inside(ancestor.idx, quotes) and sentence_start <= ancestor.idx < sentence_end
                        and _is_cue(ancestor)):
                    return ancestor
    # 2. for a full quote, the nearest cue verb of its sentence outside the quotation marks (a quoted phrase
    #    must hang from its cue: a title or scare quote in a sentence that reports speech is not a quote)
    if quote.partial:
        return None
    before_start, before_end, after_start, after_end = window
    candidates = [t for t in outside if (before_start <= t.idx < before_end or after_start <= t.idx < after_end)
                  and _is_cue(t)]
    if not candidates:
        return None
    return min(candidates, key=lambda t: t.idx - quote.close_at if t.idx > quote.close_at else quote.open_at - t.idx)


def _subject(cue: Token, quotes: list[Quote]) -> Token | None:
    if cue.lower_ == "according":
        for child in cue.nbor(1).children:
            if child.dep_ == "pobj":
                return child
        return None
    for verb in [cue, *cue.ancestors][:3]:  # "Ri vowed ... and said", "he was quoted as saying"
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass") and not _inside(child.idx, quotes):
                return child
        if verb.dep_ not in ("conj", "advcl", "xcomp", "pcomp", "prep"):
            break
    return None


class _Resolver:
    """Maps subject tokens to canonical speakers, pronouns to recent person subjects."""

    def __init__(self, doc: Document, mentions: list[Mention], quotes_by_paragraph: dict[int, list[Quote]]):
        self.doc, self.mentions, self.quotes = doc, mentions, quotes_by_paragraph

    def mention_at(self, position: int) -> Mention | None:
        return next((m for m in self.mentions if m.start <= position < m.end), None)

    def name_of(self, token: Token, offset: int) -> str | None:
        """The canonical name a (non-pronoun) subject token refers to, or its noun phrase."""
        span = token.doc[token.left_edge.i:token.i + 1]
        for candidate in sorted(span, key=lambda t: (t.i != token.i, -t.i)):
            mention = self.mention_at(offset + candidate.idx)
            if mention is not None:
                return mention.canonical
        if token.pos_ == "PROPN":
            return person_name(token.text, self.mentions) or token.text
        words = [t.text for t in span if not t.is_punct]
        return " ".join(words) if words else None

    def person_subject(self, paragraph: ParsedParagraph, sentence) -> str | None:
        quotes = self.quotes.get(paragraph.index, [])
        subjects = [t for t in sentence if t.dep_ in ("nsubj", "nsubjpass") and not _inside(t.idx, quotes)]
        subjects.sort(key=lambda t: (t.head.dep_ != "ROOT", t.i))
        for token in subjects:
            if token.lower_ in PERSONAL_PRONOUNS:
                continue
            mention = self.mention_at(paragraph.offset + token.idx)
            if mention is not None and mention.label == "PERSON":
                return mention.canonical
            if token.pos_ == "PROPN":
                name = person_name(token.text, self.mentions)
                if name:
                    return name
        return None

    def pronoun(self, paragraphs: list[ParsedParagraph], where: int, position: int) -> str | None:
        """The person a he/she at `position` of paragraph `where` most likely is: a recent sentence subject."""
        checked = 0
        for paragraph in reversed(paragraphs[:where + 1]):
            sentences = [s for s in paragraph.doc.sents
                         if paragraph.offset + s.end_char <= position or paragraph.offset + s.start_char < position]
            for sentence in reversed(sentences):
                name = self.person_subject(paragraph, sentence)
                if name:
                    return name
                checked += 1
                if checked >= 6:
                    break
            if checked >= 6:
                break
        earlier = [m for m in self.mentions if m.label == "PERSON" and m.end <= position]
        return earlier[-1].canonical if earlier else None


def extract_quotes(doc: Document) -> list[dict]:
    paragraphs: list[ParsedParagraph] = doc.annotations.get(PARSES, [])
    mentions: list[Mention] = doc.annotations.get(MENTIONS, [])
    found = {p.index: find_quotes(p.doc.text) for p in paragraphs}
    resolver = _Resolver(doc, mentions, found)
    rows: list[dict] = []
    previous: dict[int, Quote | None] = {}  # paragraph index -> its last attributed quote
    lead_ins: dict[int, tuple[str | None, str | None]] = {}  # paragraph index -> speaker of a `said:` ending
    for where, paragraph in enumerate(paragraphs):
        text, quotes = paragraph.doc.text, found[paragraph.index]
        last: Quote | None = None
        for n, quote in enumerate(quotes):
            window = _attribution_window(text, quotes, n)
            quote.partial = _is_partial(text, quote, text[window[0]:window[1]])
            cue = _find_cue(paragraph.doc, quotes, n, window)
            if cue is not None:
                quote.cue = "according to" if cue.lower_ == "according" else cue.text
                subject = _subject(cue, quotes)
                if subject is not None and subject.lower_ in PERSONAL_PRONOUNS:
                    quote.speaker = resolver.pronoun(paragraphs, where, paragraph.offset + subject.idx)
                    quote.source = "pronoun" if quote.speaker else None
                elif subject is not None:
                    quote.speaker, quote.source = resolver.name_of(subject, paragraph.offset), "same_sentence"
            if quote.speaker is None and cue is None:
                before = previous.get(paragraph.index - 1)
                opening = not text[:quote.open_at].strip()
                if last is not None and not quote.partial:
                    quote.speaker, quote.source = last.speaker, "same_paragraph"
                elif opening and before is not None and not quote.partial:
                    quote.speaker, quote.source = before.speaker, "previous_paragraph"
                elif opening and lead_ins.get(paragraph.index - 1, (None, None))[0]:
                    quote.speaker, quote.cue = lead_ins[paragraph.index - 1]
                    quote.source = "previous_paragraph"
            if quote.partial and quote.speaker is None:
                continue  # a quoted phrase nobody is said to have said: scare quotes, titles, names
            if quote.speaker is not None:
                last = quote
            rows.append({"start": paragraph.offset + quote.start, "end": paragraph.offset + quote.end,
                         "text": text[quote.start:quote.end], "paragraph_index": paragraph.index,
                         "speaker": quote.speaker, "speaker_source": quote.source, "cue": quote.cue,
                         "partial": quote.partial})
        previous[paragraph.index] = last
        if not quotes and text.rstrip().endswith(":"):
            lead_ins[paragraph.index] = _lead_in(paragraph, resolver, paragraphs, where)
    return rows


def _lead_in(paragraph: ParsedParagraph, resolver: _Resolver, paragraphs, where: int) -> tuple[str | None, str | None]:
    """`Ri said in a statement:` at the end of a paragraph introduces the quote that opens the next one."""
    sentences = list(paragraph.doc.sents)
    cues = [t for t in sentences[-1] if _is_cue(t)] if sentences else []
    if not cues:
        return None, None
    subject = _subject(cues[-1], [])
    if subject is None:
        return None, None
    if subject.lower_ in PERSONAL_PRONOUNS:
        return resolver.pronoun(paragraphs, where, paragraph.offset + subject.idx), cues[-1].text
    return resolver.name_of(subject, paragraph.offset), cues[-1].text


class QuotesStep(DocumentStep):
    """Publishes `quotes` rows (needs the parses and the entity mentions of the steps before)."""

    name = "enrich"

    def process(self, doc: Document) -> Document:
        doc.rows["quotes"] = extract_quotes(doc)
        return doc
