"""Search across demands: Chinese-aware, ranked, on PostgreSQL and SQLite, and never
beyond what the user may see.

The document. Each demand's number and external id, title, address, content and the
requester's name are cut into ``lib.chinese.bigrams`` (overlapping pairs of Han
characters; Latin/digit runs whole). A substring of two or more Han characters is then a
run of consecutive bigrams, so "占道" is found inside "小区门口有人占道经营" without a
word list deciding what a word is. PostgreSQL keeps the tokens in a ``tsvector`` (weights:
number and title A, address B, content C, name D) under a GIN index; SQLite in an FTS5
table with one column per field. The document is made without jieba: segmentation costs
~50 µs per demand and would slow the file import (docs/search.md has the figures).

The query. It is normalised (full width → half width, lower case), cut by jieba into
words, and each word becomes a phrase of its bigrams (``'占道' <-> '道经' <-> '经营'`` on
PostgreSQL, ``"占道 道经 经营"`` in FTS5). Words are ANDed: "门口 占道" finds demands
with both, anywhere. Single characters are joined to their neighbour in the query.

The ranking. An exact tracking number or external id comes first; then demands matched in
their number or title; then by ``ts_rank`` (PostgreSQL) or ``bm25`` (SQLite); then newest
first. On PostgreSQL only the newest ``CANDIDATES`` matches of each tier (title, any
field) are ranked, so that a word present in half a million demands costs a few
milliseconds, not a sort of half a million rows; the count then reads "1000+".

Permissions. Candidates are always taken from ``org.access.filter_for(user,
"demand.view", …)``. The requester's name is searchable for those who see it in the
console, which today is everybody holding ``demand.view`` (the detail panel shows it);
:func:`may_search_names` is the one place to change if that rule ever narrows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from demands.models import Channel, Demand
from lib import chinese
from org import access

CANDIDATES = 1000  # PostgreSQL: the newest matches ranked, per tier
MAX_QUERY_CHARS = 100
MAX_TERMS = 8
MAX_TOKEN_CHARS = 64
MAX_POSITIONS = 256  # what a tsvector keeps per lexeme
MAX_POSITION = 16383
# number+external id, title, address, content, requester name
WEIGHTS = ("A", "A", "B", "C", "D")
SQLITE_COLUMNS = ("number", "title", "address", "content", "name")
# bm25 column weights (SQLite): the number and the title count most
BM25_WEIGHTS = "10.0, 10.0, 3.0, 1.0, 1.0"
# a tracking number (250101-ABC234) or an upstream system's id
EXACT_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-_/.:#]{3,63}")
INDEX_FIELDS = ("id", "number", "external_id", "title", "content", "address",
                "requester_name", "current_unit_id", "first_receiver_id")


class SearchError(Exception):
    """The query cannot be searched; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the document -------------------------------------------------------------------------
def _fields(demand) -> tuple[str, str, str, str, str]:
    return (f"{demand.number} {demand.external_id}", demand.title, demand.address,
            demand.content, demand.requester_name)


def _tokens(text: str) -> list[str]:
    return [t for t in chinese.bigrams(text) if len(t) <= MAX_TOKEN_CHARS]


def scope_lexemes(unit_path: str, first_receiver_id) -> list[str]:
    """PostgreSQL: who may see the demand, as lexemes that no text produces ("_u<id>" for
    the current unit and each unit above it, "_r<id>" for the first receiver), so that the
    GIN index intersects the words with the user's scope before any row is read. Only a
    pre-filter: ``org.access.filter_for`` decides, on the candidates."""
    out = [f"_u{part}" for part in unit_path.split("/") if part]
    if first_receiver_id:
        out.append(f"_r{first_receiver_id}")
    return out


def tsvector(fields, scope=()) -> str:
    """The ``tsvector`` literal of a demand's fields: bigrams with positions and weights.
    Written as a literal (not through ``to_tsvector``) so that no text-search parser or
    database locale decides what a Chinese token is."""
    positions: dict[str, list[str]] = {}
    position = 0
    for text, weight in zip(fields, WEIGHTS, strict=True):
        tokens = _tokens(text)
        for at, token in enumerate(tokens, position + 1):
            slots = positions.get(token)
            if slots is None:
                positions[token] = [f"{min(at, MAX_POSITION)}{weight}"]
            elif len(slots) < MAX_POSITIONS:
                slots.append(f"{min(at, MAX_POSITION)}{weight}")
        position += len(tokens)
    return " ".join([*(f"'{token}':{','.join(slots)}" for token, slots in positions.items()),
                     *(f"'{lexeme}'" for lexeme in scope)])


def index(demands, *, using=None) -> int:
    """(Re)write the search documents of ``demands`` (Demand objects, or dicts/rows with
    the ``INDEX_FIELDS``): one statement per call on PostgreSQL, two on SQLite. Returns the
    number written. Idempotent."""
    rows = [d if isinstance(d, Demand) else Demand(**d) for d in demands]
    if not rows:
        return 0
    conn = connection if using is None else connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            from org.models import Unit

            paths = dict(Unit.objects.using(conn.alias).filter(
                pk__in={d.current_unit_id for d in rows}).values_list("pk", "path"))
            cursor.execute(
                "INSERT INTO insights_searchdoc (demand_id, document) "
                "SELECT id, doc::tsvector FROM unnest(%s::bigint[], %s::text[]) AS t(id, doc) "
                "ON CONFLICT (demand_id) DO UPDATE SET document = EXCLUDED.document",
                [[d.pk for d in rows],
                 [tsvector(_fields(d), scope_lexemes(paths.get(d.current_unit_id, ""),
                                                     d.first_receiver_id)) for d in rows]])
        else:
            for start in range(0, len(rows), 500):
                chunk = rows[start:start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM insights_searchdoc WHERE rowid IN ({marks})",  # noqa: S608 - placeholders only
                               [d.pk for d in chunk])
                cursor.executemany(
                    "INSERT INTO insights_searchdoc (rowid, number, title, address, content, "
                    "name) VALUES (%s, %s, %s, %s, %s, %s)",
                    [(d.pk, *(" ".join(_tokens(text)) for text in _fields(d)))
                     for d in chunk])
    return len(rows)


# --- the query ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ParsedQuery:
    text: str
    # each term: tokens that must stand next to each other, in this order
    terms: tuple[tuple[str, ...], ...]
    # each term as the user would see it in the text (for highlighting)
    words: tuple[str, ...]
    # parts too short to search on their own (a lone character)
    ignored: tuple[str, ...]
    # the query as a tracking number / external id, or ""
    exact: str


def _han_pieces(run: str) -> tuple[list[str], list[str]]:
    """jieba's words of a Han run, single characters joined to a neighbour (a bigram index
    cannot search one character), single-character stop words ("的", "了") as breaks."""
    groups: list[list[str]] = [[]]
    for word in chinese.words(run, keep_stopwords=True):
        if len(word) == 1 and word in chinese.STOPWORDS:
            groups.append([])
        else:
            groups[-1].append(word)
    pieces, ignored = [], []
    for group in groups:
        current: list[str] = []
        carry = ""
        for word in group:
            if len(word) == 1 and current:
                current[-1] += word
            elif len(word) == 1:
                carry += word
            else:
                current.append(carry + word)
                carry = ""
        if carry:
            current.append(carry)
        for piece in current:
            (pieces if len(piece) >= 2 else ignored).append(piece)
    return pieces, ignored


def parse(text: str) -> ParsedQuery:
    """Normalise and segment a query; raise :class:`SearchError` when nothing in it can be
    searched."""
    raw = " ".join((text or "").split())
    if not raw:
        raise SearchError(_("请输入要搜索的内容。"))
    if len(raw) > MAX_QUERY_CHARS:
        raise SearchError(_("搜索内容太长，请不超过 100 个字。"))
    words: list[str] = []
    ignored: list[str] = []
    for run in chinese.RUN_RE.findall(chinese.normalise(raw)):
        if chinese.HAN_RE.match(run):
            pieces, lone = _han_pieces(run)
            words.extend(pieces)
            ignored.extend(lone)
        elif 2 <= len(run) <= MAX_TOKEN_CHARS:
            words.append(run)
        else:
            ignored.append(run)
    words = list(dict.fromkeys(words))[:MAX_TERMS]
    exact = raw if EXACT_RE.fullmatch(raw) else ""
    if not words and not exact:
        if not chinese.RUN_RE.search(chinese.normalise(raw)):
            raise SearchError(_("请输入文字或数字：只有标点符号无法搜索。"))
        raise SearchError(_("搜索词太短：请至少输入两个汉字，或两位以上的字母、数字。"))
    terms = tuple(tuple(chinese.bigrams(word)) for word in words)
    return ParsedQuery(raw, terms, tuple(words), tuple(ignored), exact)


def _tsquery(terms, weights: str) -> str:
    # every weight: no restriction, which spares the GIN index a recheck of single tokens
    suffix = "" if weights == "ABCD" else f":{weights}"
    return " & ".join(
        "(" + " <-> ".join(f"'{token}'{suffix}" for token in term) + ")" for term in terms)


def _fts5(terms, columns) -> str:
    phrases = " AND ".join('"' + " ".join(term) + '"' for term in terms)
    return "{" + " ".join(columns) + "} : (" + phrases + ")"


def may_search_names(user) -> bool:
    """Whether a search by the requester's name may match. The console shows the
    requester's name to everybody who may view the demand, so today this is the same as
    holding ``demand.view``; the search itself is limited to the demands the user may
    view."""
    return access.can_anywhere(user, "demand.view")


# --- results ------------------------------------------------------------------------------
@dataclass
class Hit:
    demand: Demand
    exact: bool = False
    in_title: bool = False
    rank: float = 0.0
    title_html: SafeString = field(default_factory=SafeString)
    snippet_html: SafeString = field(default_factory=SafeString)
    address_html: SafeString = field(default_factory=SafeString)
    name_html: SafeString = field(default_factory=SafeString)


@dataclass
class Results:
    query: ParsedQuery
    hits: list[Hit]
    total: int  # matches found (a lower bound when ``capped``)
    capped: bool  # more matched than were ranked
    offset: int
    limit: int

    @property
    def count_label(self) -> str:
        return f"{self.total}+" if self.capped else str(self.total)

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def _scope(user, queryset: QuerySet | None) -> tuple[str, list]:
    """The SQL of the ids the user may see (in ``queryset``, when given). Raises
    ``EmptyResultSet`` when they may see nothing."""
    base = Demand.objects.all() if queryset is None else queryset
    scoped = access.filter_for(user, "demand.view", base).order_by().values("id")
    sql, params = scoped.query.sql_with_params()
    return sql, list(params)


def _scope_tsquery(user) -> str:
    """The user's ``demand.view`` scope as OR-ed scope lexemes ("" when they see every
    demand). Raises ``EmptyResultSet`` when they see none."""
    where = access.scope(user, "demand.view")
    if where.everything or where.reach is not None:
        # rows the capability reaches otherwise (a paired cadre's enterprises) carry no
        # scope lexeme: the caller narrows by the permission filter itself
        return ""
    lexemes = sorted({f"_u{path.strip('/').split('/')[-1]}" for path in where.paths})
    if where.user_id is not None:
        lexemes.append(f"_r{where.user_id}")
    if not lexemes:
        raise EmptyResultSet
    return "(" + " | ".join(f"'{lexeme}'" for lexeme in lexemes) + ")"


# PostgreSQL: how the newest matches are found. A GIN index gives every match at once, and
# each must then be read from the table to learn its id: fine for a few thousand, slow for
# a word in 40,000 demands. So the newest demands are read first, newest first, in a slice
# of WINDOW ids, checked against the query; the rate of matches seen there decides whether
# the rest is found through the GIN index (few matches expected) or by further slices.
WINDOW = 20_000
CHEAP_MATCHES = 4_000


def _candidates_postgresql(user, query: ParsedQuery, queryset, names: bool):
    weights = "ABCD" if names else "ABC"
    rank_q, title_q = _tsquery(query.terms, weights), _tsquery(query.terms, "A")
    # the plain AND of the tokens: a cheap test that rejects most rows before the phrase test
    tokens = sorted({token for term in query.terms for token in term})
    and_q, full_q = " & ".join(f"'{token}'" for token in tokens), rank_q
    scope = _scope_tsquery(user)
    if queryset is None and access.scope(user, "demand.view").reach is not None:
        queryset = Demand.objects.all()  # the permission filter below is the only narrowing
    if scope:
        and_q, full_q = f"{and_q} & {scope}", f"{full_q} & {scope}"
    extra, extra_params = "", []
    if queryset is not None:  # a queue or filter: the permission filter comes with it
        sql, extra_params = _scope(user, queryset)
        extra = f" AND s.demand_id IN ({sql})"
    recent = ("SELECT s.demand_id FROM insights_searchdoc s "  # noqa: S608 - values are params
              "WHERE s.demand_id <= %s AND s.demand_id > %s "
              f"AND (s.document @@ %s::tsquery AND s.document @@ %s::tsquery) IS TRUE{extra} "
              "ORDER BY s.demand_id DESC LIMIT %s")
    indexed = ("SELECT s.demand_id FROM insights_searchdoc s "  # noqa: S608 - values are params
               f"WHERE s.demand_id <= %s AND s.document @@ %s::tsquery{extra} "
               "ORDER BY s.demand_id DESC LIMIT %s")
    need = CANDIDATES + 1  # one more than ranked: was anything left out?
    found: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(demand_id) FROM insights_searchdoc")
        high = cursor.fetchone()[0] or 0
        window = WINDOW
        while high > 0 and len(found) < need:
            low = max(0, high - window)
            cursor.execute(recent, [high, low, and_q, full_q, *extra_params,
                                    need - len(found)])
            rows = [row[0] for row in cursor.fetchall()]
            found += rows
            rate = len(rows) / max(high - low, 1)
            high = low
            if len(found) >= need or high <= 0:
                break
            if rate * high <= CHEAP_MATCHES:
                cursor.execute(indexed, [high, full_q, *extra_params, need - len(found)])
                found += [row[0] for row in cursor.fetchall()]
                break
            window = int(2 * (need - len(found)) / rate)
        capped = len(found) > CANDIDATES
        found = found[:CANDIDATES]
        if not found:
            return [], False
        cursor.execute("SELECT demand_id, document @@ %s::tsquery, ts_rank(document, %s::tsquery) "
                       "FROM insights_searchdoc WHERE demand_id = ANY(%s)",
                       [title_q, rank_q, found])
        ranked = cursor.fetchall()
    if scope and queryset is None:  # the scope lexemes only narrowed: the helper decides
        allowed = set(access.filter_for(user, "demand.view", Demand.objects.all())
                      .filter(pk__in=found).values_list("id", flat=True))
        ranked = [row for row in ranked if row[0] in allowed]
    ranked.sort(key=lambda row: (not row[1], -row[2], -row[0]))
    return [(pk, bool(title), float(rank)) for pk, title, rank in ranked], capped


def _candidates_sqlite(query: ParsedQuery, scope, names: bool):
    columns = SQLITE_COLUMNS if names else SQLITE_COLUMNS[:-1]
    sql = ("SELECT rowid, rowid IN (SELECT rowid FROM insights_searchdoc "  # noqa: S608
           "WHERE insights_searchdoc MATCH %s), "
           f"-bm25(insights_searchdoc, {BM25_WEIGHTS}) FROM insights_searchdoc "
           f"WHERE insights_searchdoc MATCH %s AND rowid IN ({scope[0]}) "
           f"ORDER BY 2 DESC, 3 DESC, rowid DESC LIMIT {CANDIDATES + 1}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [_fts5(query.terms, ("number", "title")),
                             _fts5(query.terms, columns), *scope[1]])
        rows = cursor.fetchall()
    return [(pk, bool(title), float(rank)) for pk, title, rank in rows[:CANDIDATES]], \
        len(rows) > CANDIDATES


def _exact(user, query: ParsedQuery, queryset) -> list[int]:
    if not query.exact:
        return []
    base = Demand.objects.all() if queryset is None else queryset
    # (channel, external_id) is the indexed pair: naming every channel lets the index serve
    condition = Q(number=query.exact.upper()) | Q(external_id=query.exact,
                                                   channel__in=Channel.values)
    return list(access.filter_for(user, "demand.view", base).filter(condition)
                .order_by("-submitted_at", "-id").values_list("id", flat=True)[:20])


def search(user, text: str, *, limit: int = 50, offset: int = 0,
           queryset: QuerySet | None = None) -> Results:
    """The demands ``user`` may view that match ``text``, best first.

    ``queryset`` narrows further (a queue, a filter); the permission filter is applied on
    top of it in every case. Raises :class:`SearchError` (a Chinese message) when the
    query cannot be searched. Three or four queries whatever the page.
    """
    query = parse(text)
    limit = max(1, min(int(limit), 200))
    offset = max(0, int(offset))
    vendor = connection.vendor
    try:
        exact_ids = _exact(user, query, queryset)
        ranked, capped = [], False
        if query.terms:
            names = may_search_names(user)
            if vendor == "postgresql":
                ranked, capped = _candidates_postgresql(user, query, queryset, names)
            else:
                ranked, capped = _candidates_sqlite(
                    query, _scope(user, queryset), names)
    except EmptyResultSet:
        return Results(query, [], 0, False, offset, limit)
    order = [(pk, True, True, 0.0) for pk in exact_ids]
    seen = set(exact_ids)
    order += [(pk, False, title, rank) for pk, title, rank in ranked if pk not in seen]
    page = order[offset:offset + limit]
    demands = Demand.objects.select_related("category", "current_unit",
                                            "first_receiver").in_bulk(
        [pk for pk, *_ in page])
    hits = [_hit(demands[pk], query, exact, title, rank)
            for pk, exact, title, rank in page if pk in demands]
    return Results(query, hits, len(order), capped, offset, limit)


# --- highlighting -------------------------------------------------------------------------
def _spans(text: str, words) -> list[tuple[int, int]]:
    """Where the query's words occur in ``text`` (offsets in the original text, found in
    its normalised form), merged."""
    chars, where = [], []
    for i, ch in enumerate(text):
        for c in chinese.normalise(ch):
            chars.append(c)
            where.append(i)
    folded = "".join(chars)
    spans = []
    for word in words:
        start = folded.find(word)
        while start != -1:
            spans.append((where[start], where[start + len(word) - 1] + 1))
            start = folded.find(word, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, words, *, window: int | None = None) -> SafeString:
    """``text`` escaped, with the query's words in ``<mark>``; with ``window``, only about
    that many characters around the first hit (or from the start)."""
    text = text or ""
    spans = _spans(text, words)
    lo, hi = 0, len(text)
    if window is not None and len(text) > window:
        first = spans[0][0] if spans else 0
        lo = max(0, first - window // 3)
        hi = min(len(text), lo + window)
        lo = max(0, hi - window)
    out, cursor = [], lo
    for start, end in spans:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        out.append(escape(text[cursor:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:hi]))
    return mark_safe(("…" if lo > 0 else "") + "".join(out)  # noqa: S308 - every part escaped
                     + ("…" if hi < len(text) else ""))


def _hit(demand: Demand, query: ParsedQuery, exact: bool, in_title: bool, rank: float) -> Hit:
    words = query.words
    name = demand.requester_name
    return Hit(
        demand=demand, exact=exact, in_title=in_title, rank=rank,
        title_html=highlight(demand.title, words),
        snippet_html=highlight(demand.content, words, window=90),
        address_html=highlight(demand.address, words),
        name_html=highlight(name, words) if name and _spans(name, words) else SafeString(""),
    )


# --- keeping the index current ------------------------------------------------------------
# Batches up to this size are indexed inline, in the action's transaction (~0.1–0.2 ms a
# demand); larger ones, and every file import, are indexed by a worker after the commit so
# that the import keeps its rate (docs/search.md).
INLINE_MAX = 200


def index_ids(ids) -> int:
    """Index the demands with these ids (the worker's half of ``receivers.index_for_search``)."""
    total = 0
    ids = list(ids)
    for start in range(0, len(ids), 2000):
        total += index(Demand.objects.filter(pk__in=ids[start:start + 2000])
                       .order_by().values(*INDEX_FIELDS))
    return total
