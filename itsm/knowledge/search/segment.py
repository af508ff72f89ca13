"""Segmentation of Chinese and English text into index tokens, and of a query into a match
expression (the one tokeniser of the search; DESIGN: segmentation in the application).

Text is NFKC-normalised (full-width letters and digits become ASCII) and lower-cased, then cut
into runs:

- a run of CJK characters (Han, kana, Hangul) gives
  * every **bigram** of the run (``数据表空间`` → 数据 据表 表空 空间): the fallback that finds
    any word of two or more characters the segmenter does not know, or cuts differently in
    context, since every bigram of a query word is a bigram of the text that contains it;
  * the **words** of the segmenter (jieba's dictionary through ``rjieba``, search mode:
    ``数据表`` and ``数据``), which rank whole-word matches higher;
  * the run's **last character** alone, so that a one-character query (``卡*``, a prefix of
    the bigrams) also finds a character that ends a run;
- a run of letters and digits with inner ``- _ . / : # +`` (an error code ``ORA-01653``, a
  version ``10.2.0.4``, a product ``SQL-Server``) stays **one token** (``ora_01653``), and its
  parts are tokens too (``ora``, ``01653``).

Tokens hold only word characters (``_`` stands for the inner punctuation), so both engines
take them verbatim: SQLite FTS5 splits on spaces (unicode61 with ``_`` as a token character)
and PostgreSQL builds its ``tsvector`` with ``array_to_tsvector`` (no parser, no dictionary).

A query is cut the same way; each query word becomes one *group*, and the groups are ANDed:
an English word or code must be a token; a CJK word of two or more characters matches as the
segmenter's word OR as all its bigrams; a CJK character the segmenter left alone inside a
longer run matches as the bigram it forms with its neighbour; a lone CJK character is a prefix.
So every text that contains the query's words is found (recall), and texts holding them as
whole words rank first.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # CJK extensions B–G
)
_WORD = rf"[^\W_{_CJK}]+"
_JOINERS = r"[-_./:#+]"
_RUNS = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>{_WORD}(?:{_JOINERS}{_WORD})*)")
_PARTS = re.compile(_WORD)
#: longest token kept (a pasted hash or a base64 blob is not a word)
MAX_TOKEN = 60


@functools.cache
def _segmenter():
    """The segmenter's ``cut`` functions, loaded once per process (~0.4 s for the
    dictionary); ``None`` when ``rjieba`` is not installed: bigrams alone then."""
    try:
        import rjieba
    except ImportError:  # pragma: no cover - rjieba is a dependency; bigrams still work
        return None
    return rjieba


def normalise(text: str) -> str:
    """NFKC and lower case: what every token and every highlight is compared on."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _words(run: str, *, search_mode: bool) -> list[str]:
    segmenter = _segmenter()
    if segmenter is None:
        return []
    cut = segmenter.cut_for_search if search_mode else segmenter.cut
    return [w for w in cut(run) if w]


def _compound_tokens(word: str) -> list[str]:
    parts = _PARTS.findall(word)
    whole = "_".join(parts)
    tokens = [whole[:MAX_TOKEN]]
    if len(parts) > 1:
        tokens.extend(p[:MAX_TOKEN] for p in parts)
    return tokens


def tokens(text: str) -> list[str]:
    """The index tokens of *text*, in order (repeated tokens kept: they weigh in ranking)."""
    out: list[str] = []
    for match in _RUNS.finditer(normalise(text)):
        run = match.group("cjk")
        if run is not None:
            if len(run) == 1:
                out.append(run)
                continue
            out.extend(_bigrams(run))
            out.extend(w for w in _words(run, search_mode=True) if len(w) > 2)
            out.append(run[-1])
        else:
            out.extend(_compound_tokens(match.group("word")))
    return out


def token_text(text: str) -> str:
    """:func:`tokens` joined by single spaces: the stored form both engines read."""
    return " ".join(tokens(text))


@dataclass(frozen=True)
class Group:
    """One query word: matched by ``token`` (a prefix when ``prefix``), or by all
    ``fallback`` tokens together (a CJK word's bigrams)."""

    token: str
    fallback: tuple[str, ...] = ()
    prefix: bool = False
    #: the text to highlight for this word
    term: str = ""


@dataclass(frozen=True)
class Query:
    groups: tuple[Group, ...] = field(default_factory=tuple)
    #: the query's runs as typed (normalised): highlighted whole where the text has them
    phrases: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def terms(self) -> list[str]:
        """The words to highlight, longest first: the runs, then the words of two or more
        characters (a lone character only when it was the whole run)."""
        seen = {*self.phrases, *(g.term for g in self.groups if g.term)}
        return sorted(seen, key=lambda t: (-len(t), t))

    #: match documents sharing at least this many of the words (0: all of them)
    at_least: int = 0
    #: match the words in the title only (SQLite: the FTS5 column filter of ``fts5()``;
    #: PostgreSQL: ``query.matching`` checks the title's tokens too, the index having no
    #: positions to hold weights)
    title_only: bool = False

    def relaxed(self, *, at_least: int = 2, max_groups: int = 8) -> Query | None:
        """The same words, matched when a document's **title** shares *at_least* of the
        first *max_groups* (the suggestions' second pass: a summary typed in other words than
        the article's title; the title alone, because two common words somewhere in a long
        text say little and cost a ranking of a large part of the index); ``None`` when that
        would not differ from all of them."""
        groups = self.groups[:max_groups]
        if len(groups) <= at_least:
            return None
        return Query(groups, self.phrases, at_least, title_only=True)

    def _combinations(self) -> list[tuple[Group, ...]]:
        if not self.at_least or self.at_least >= len(self.groups):
            return [self.groups]
        return list(itertools.combinations(self.groups, self.at_least))

    def fts5(self) -> str:
        """The SQLite FTS5 match expression."""
        alternatives = [
            " AND ".join(_fts5_group(g) for g in combination)
            for combination in self._combinations()
        ]
        expression = (
            alternatives[0]
            if len(alternatives) == 1
            else " OR ".join(f"({a})" for a in alternatives)
        )
        return f"{{title_tokens}} : ({expression})" if self.title_only else expression

    def tsquery(self) -> str:
        """The PostgreSQL ``tsquery`` text (lexemes verbatim, cast with ``::tsquery``)."""
        alternatives = [
            " & ".join(_ts_group(g) for g in combination) for combination in self._combinations()
        ]
        if len(alternatives) == 1:
            return alternatives[0]
        return " | ".join(f"({a})" for a in alternatives)


def _fts5_group(group: Group) -> str:
    main = f'"{group.token}"' + ("*" if group.prefix else "")
    if not group.fallback:
        return main
    return "(" + main + " OR (" + " AND ".join(f'"{t}"' for t in group.fallback) + "))"


def _ts_group(group: Group) -> str:
    main = f"'{group.token}'" + (":*" if group.prefix else "")
    if not group.fallback:
        return main
    return "(" + main + " | (" + " & ".join(f"'{t}'" for t in group.fallback) + "))"


def parse_query(text: str, *, prefix_last: bool = False, max_groups: int = 12) -> Query:
    """The match expression of a search box's *text* (see the module docstring).
    *prefix_last*: the last English word is a prefix (suggestions while typing)."""
    groups: list[Group] = []
    phrases: list[str] = []
    for match in _RUNS.finditer(normalise(text)):
        run = match.group("cjk")
        phrases.append(match.group(0))
        if run is None:
            word = match.group("word")
            groups.append(Group(token=_compound_tokens(word)[0], term=word))
            continue
        if len(run) == 1:
            groups.append(Group(token=run, prefix=True, term=run))
            continue
        position = 0
        for word in _words(run, search_mode=False) or _bigrams(run):
            start = run.find(word, position)
            if start < 0:  # pragma: no cover - the segmenter returns the run's own pieces
                start = position
            position = start + len(word)
            if len(word) == 1:
                # the bigram with the neighbour (the next one, or the previous at the end)
                pair = (
                    run[start : start + 2] if start + 1 < len(run) else run[start - 1 : start + 1]
                )
                groups.append(Group(token=pair))
            elif len(word) == 2:
                groups.append(Group(token=word, term=word))
            else:
                groups.append(Group(token=word, fallback=tuple(_bigrams(word)), term=word))
    unique: list[Group] = []
    seen: set[tuple] = set()
    for group in groups:
        key = (group.token, group.fallback, group.prefix)
        if key not in seen:
            seen.add(key)
            unique.append(group)
    unique = unique[:max_groups]
    if prefix_last and unique and not unique[-1].fallback and not unique[-1].prefix:
        last = unique[-1]
        unique[-1] = Group(token=last.token, prefix=True, term=last.term)
    return Query(tuple(unique), tuple(dict.fromkeys(phrases)))
