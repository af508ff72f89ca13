"""The search: one statement over the index, through the tenancy policy, ranked, then
highlighted in Python.

``search(user, text)`` segments *text* (``segment.parse_query``), keeps the documents the
user may find (``SearchDocument.objects.restrict(user)``: customers only documents whose
audience names their organisation — published articles for customers, their own tickets,
known errors shown to customers), matches the tokens (SQLite: FTS5 ``MATCH``, ranked by
``bm25`` with the title weighing 10×; PostgreSQL: ``search @@ tsquery`` through the GIN
index, ranked by ``ts_rank`` plus 1 when the title alone holds every word — the stored vector
has no positions, so the title's weight A is lost in it) and returns the best *limit*
hits with their title and a snippet of the text, the query's words marked (escaped HTML).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from itsm.knowledge.choices import DocumentKind
from itsm.knowledge.models import SearchDocument
from itsm.knowledge.search.segment import Query, parse_query

FTS = "knowledge_search_fts"
TABLE = SearchDocument._meta.db_table
#: PostgreSQL: the title's tokens as a tsvector (a title match ranks first)
TITLE_VECTOR = f"array_to_tsvector(string_to_array({TABLE}.title_tokens, ' '))"
#: bm25 weights of the FTS5 columns (title_tokens, body_tokens)
TITLE_WEIGHT = 10.0
SNIPPET_CHARS = 180
MAX_LIMIT = 100

#: where a hit of each kind opens (URL names; an app not installed leaves the hit unlinked)
DETAIL_URLS: dict[str, str] = {
    DocumentKind.ARTICLE: "knowledge:article_detail",
    DocumentKind.TICKET: "desk:ticket_detail",
    DocumentKind.KNOWN_ERROR: "problems:known_error_detail",
    DocumentKind.PROBLEM: "problems:problem_detail",
}

_COLUMNS = (
    "id",
    "kind",
    "key",
    "number",
    "title",
    "body",
    "record_status",
    "customer_id",
    "updated_at",
)


@dataclass(frozen=True)
class Hit:
    """One search result: the record (kind, key, number), its marked title and snippet."""

    kind: str
    key: int
    number: str
    title: str
    title_html: SafeString
    snippet_html: SafeString
    state: str
    customer_id: int | None
    updated_at: datetime
    rank: float
    url: str

    @property
    def kind_label(self) -> str:
        return str(DocumentKind(self.kind).label)

    @property
    def kind_colour(self) -> str:
        return DocumentKind.colour(self.kind)


def matching(user, query: Query, *, kinds: Iterable[str] | None = None) -> QuerySet:
    """The user's documents that match *query*, best first, with ``rank`` (higher is
    better on both engines)."""
    documents = SearchDocument.objects.restrict(user, "view")
    if kinds is not None:
        documents = documents.filter(kind__in=list(kinds))
    if not query:
        return documents.none()
    if connection.vendor == "postgresql":
        tsquery = query.tsquery()
        if query.title_only:  # the index narrows, the title's own tokens decide
            documents = documents.filter(
                RawSQL(f"{TITLE_VECTOR} @@ %s::tsquery", [tsquery], output_field=BooleanField())
            )
        return (
            documents.filter(
                RawSQL(f"{TABLE}.search @@ %s::tsquery", [tsquery], output_field=BooleanField())
            )
            .annotate(
                # the stored vector has no positions, so its title weight (A) is lost: a title
                # holding every word ranks first, as the title's 10× weight does in bm25
                rank=RawSQL(
                    f"ts_rank({TABLE}.search, %s::tsquery) "
                    f"+ CASE WHEN {TITLE_VECTOR} @@ %s::tsquery THEN 1 ELSE 0 END",
                    [tsquery, tsquery],
                    output_field=FloatField(),
                )
            )
            .order_by("-rank", "-id")
        )
    return documents.extra(
        tables=[FTS],
        where=[f"{FTS}.rowid = {TABLE}.id", f"{FTS} MATCH %s"],
        params=[query.fts5()],
        select={"rank": f"-bm25({FTS}, {TITLE_WEIGHT}, 1.0)"},
        order_by=["-rank", "-id"],
    )


def raw_match_sql(query: Query, *, limit: int) -> tuple[str, list]:
    """The index query alone (no tenancy, no columns but the id and rank): the floor the
    benchmark compares :func:`search` with."""
    if connection.vendor == "postgresql":
        tsquery = query.tsquery()
        return (
            f"SELECT id, ts_rank(search, %s::tsquery) AS rank FROM {TABLE} "
            "WHERE search @@ %s::tsquery ORDER BY rank DESC, id DESC LIMIT %s",
            [tsquery, tsquery, limit],
        )
    return (
        f"SELECT rowid, bm25({FTS}, {TITLE_WEIGHT}, 1.0) AS rank FROM {FTS} "
        f"WHERE {FTS} MATCH %s ORDER BY rank, rowid DESC LIMIT %s",
        [query.fts5(), limit],
    )


def search(
    user,
    text: str,
    *,
    kinds: Iterable[str] | None = None,
    states: Iterable[str] | None = None,
    limit: int = 20,
    prefix_last: bool = False,
    exclude: tuple[str, int] | None = None,
    relaxed: bool = False,
) -> list[Hit]:
    """The best *limit* documents *user* may find for *text* (see the module docstring);
    *states* keeps documents in those statuses (suggestions: published articles, open
    tickets); *exclude* leaves one record out (the ticket being typed); *relaxed*: documents
    sharing two of the words suffice (``Query.relaxed``; no hits when the text has two words
    or fewer, which the strict search covers)."""
    query = parse_query(text, prefix_last=prefix_last)
    if relaxed:
        query = query.relaxed() or Query()
    if not query:
        return []
    documents = matching(user, query, kinds=kinds)
    if states is not None:
        documents = documents.filter(record_status__in=list(states))
    if exclude is not None:
        documents = documents.exclude(kind=exclude[0], key=exclude[1])
    rows = list(documents.only(*_COLUMNS)[: max(1, min(limit, MAX_LIMIT))])
    pattern = highlighter(query)
    return [
        Hit(
            kind=row.kind,
            key=row.key,
            number=row.number,
            title=row.title,
            title_html=mark(row.title, pattern),
            snippet_html=snippet(row.body, pattern),
            state=row.record_status,
            customer_id=row.customer_id,
            updated_at=row.updated_at,
            rank=float(row.rank or 0.0),
            url=_url(row.kind, row.key),
        )
        for row in rows
    ]


def _url(kind: str, key: int) -> str:
    name = DETAIL_URLS.get(kind)
    if name is None:
        return ""
    try:
        return reverse(name, args=[key])
    except NoReverseMatch:
        return ""


def highlighter(query: Query) -> re.Pattern | None:
    """A case-insensitive pattern of the query's words, longest first."""
    terms = [t for t in query.terms if t]
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def mark(text: str, pattern: re.Pattern | None) -> SafeString:
    """*text* escaped, the matches of *pattern* wrapped in ``<mark>``."""
    text = text or ""
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    out: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append("<mark>" + escape(match.group(0)) + "</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped


def snippet(text: str, pattern: re.Pattern | None, *, width: int = SNIPPET_CHARS) -> SafeString:
    """About *width* characters of *text* around its first match, marked and escaped."""
    text = " ".join((text or "").split())
    first = pattern.search(text) if pattern is not None else None
    start = 0 if first is None else max(0, first.start() - width // 3)
    end = min(len(text), start + width)
    piece = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(escape(prefix) + mark(piece, pattern) + escape(suffix))  # noqa: S308
