"""Places named in words: which places of the gazetteer a text names, and which other
names it holds that have the form of a place (…小区, …路, …市场, …村), offline.

Two passes over each text (title, content, address):

1. **The gazetteer** — every confirmed, active place's name and aliases, longest first,
   in one compiled pattern (built per process and rebuilt when any process edits the
   gazetteer: ``lib.shared``). "幸福菜场" finds 幸福路菜市场 by its alias.
2. **The form of a name** — jieba's words (its dictionary tags 宿迁, 洪泽湖 … as place
   names, ``ns``); a word that ends with a place suffix (洪泽湖路, 阳光花园), or a name
   word followed by a suffix word (青海湖 + 路, 幸福 + 社区), is a place of the suffix's
   kind. A 区/县 ending names a district. "XX路与YY路交叉口" gives both roads.

What the first pass found is not looked at again by the second; names of the second pass
keep their written form (normalised: full-width folded, no spaces) so that two demands
naming the same unknown estate still share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lib import chinese
from lib.shared import SharedBuild

from .models import Place, PlaceKind

K = PlaceKind
# suffix → kind, longest suffixes first when matched
SUFFIXES = {
    "小区": K.ESTATE, "花园": K.ESTATE, "家园": K.ESTATE, "新村": K.ESTATE, "公寓": K.ESTATE,
    "新城": K.ESTATE, "苑": K.ESTATE, "府": K.ESTATE, "湾": K.ESTATE,
    "菜市场": K.MARKET, "农贸市场": K.MARKET, "市场": K.MARKET, "菜场": K.MARKET,
    "商场": K.LANDMARK, "广场": K.LANDMARK, "公园": K.LANDMARK, "医院": K.LANDMARK,
    "中学": K.LANDMARK, "小学": K.LANDMARK, "学校": K.LANDMARK, "幼儿园": K.LANDMARK,
    "车站": K.LANDMARK, "工地": K.SITE,
    "社区": K.COMMUNITY, "居委会": K.COMMUNITY, "村": K.VILLAGE,
    "街道": K.DISTRICT, "镇": K.DISTRICT, "乡": K.DISTRICT,
    "大道": K.ROAD, "大街": K.ROAD, "路": K.ROAD, "街": K.ROAD, "巷": K.ROAD,
    "区": K.DISTRICT, "县": K.DISTRICT,
}
ORDERED_SUFFIXES = sorted(SUFFIXES, key=len, reverse=True)
# Words that look like a place by their ending but never are one.
NOT_PLACES = frozenset(str.split("""
马路 道路 公路 小路 大路 路口 路面 路边 路段 路灯 走路 一路 出路 思路 线路 电路 水路 套路
小区 社区 市场 菜场 广场 公园 医院 学校 小学 中学 工地 车站 商场 街道 大街 街上 上街 逛街
市区 城区 地区 景区 园区 小区内 辖区 片区 郊区 县城 农村 山村 本村 村里 一村 整村 全村
农贸市场 菜市场 居委会 幼儿园 家园 花园 公寓 新村 新城 人行道 机动车道 非机动车道 步行街
村口 村里 城镇 乡镇 乡下 家乡 下乡 集镇 堵路 修路 让路 挡路 带路 问路 过路 拦路 上路 占路
"""))
# jieba words that start a name although jieba glued them to it ("在洪泽湖路" → "在", …)
GLUE = frozenset("在到从往沿近靠于的和与及或等")
MAX_NAME = 12


@dataclass(frozen=True)
class Found:
    name: str  # the gazetteer's name, or the normalised written form
    text: str  # as written
    kind: str
    field: str
    position: int
    place_id: int | None = None


@dataclass(frozen=True)
class _Gazetteer:
    pattern: re.Pattern | None
    by_name: dict  # normalised name or alias → (place id, name, kind)


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", chinese.normalise(text))


def _build() -> _Gazetteer:
    by_name = {}
    for pk, name, aliases, kind in Place.objects.filter(confirmed=True, is_active=True) \
            .values_list("pk", "name", "aliases", "kind"):
        for written in [name, *(aliases or [])]:
            key = _normal(written)
            if len(key) >= 2:
                by_name.setdefault(key, (pk, name, kind))
    if not by_name:
        return _Gazetteer(None, {})
    alternatives = sorted(by_name, key=len, reverse=True)
    return _Gazetteer(re.compile("|".join(map(re.escape, alternatives))), by_name)


gazetteer = SharedBuild("sanmanyi:places:version", _build)


SUFFIX_RE = None


def _suffix_re() -> re.Pattern:
    global SUFFIX_RE
    if SUFFIX_RE is None:
        SUFFIX_RE = re.compile("|".join(map(re.escape, ORDERED_SUFFIXES)))
    return SUFFIX_RE


ROAD_SUFFIXES = ("大道", "大街", "路", "街", "巷")
NAME_TAGS = frozenset({None, "n", "nr", "ns", "nt", "nz", "j", "ng", "b", "s", "l", "i",
                       "an", "vn", "x", "eng", "a", "zg"})


def _by_form(text: str, field: str, taken: list[tuple[int, int]]) -> list[Found]:
    """Names recognised by their form, outside the spans ``taken`` by the gazetteer: each
    place suffix, with the words before it that can be part of a name (jieba's words,
    walked back from the suffix until a function word, a verb, a number or another
    place's suffix; a road's name is kept before a market's or an estate's)."""
    import jieba

    chinese.words("")  # jieba's dictionary and the domain words, loaded once
    tokens = [(start, end, word) for word, start, end in jieba.tokenize(text)]
    found = []
    for match in _suffix_re().finditer(text):
        start, end = match.span()
        suffix = match.group(0)
        if any(a < end and start < b for a, b in taken):
            continue
        pieces, length = [], 0
        # the part of the word the suffix starts in that comes before it ("黄河|南路")
        for t_start, t_end, word in tokens:
            if t_start < start < t_end:
                part = word[:start - t_start]
                if _suffix(part) == part or (not _namelike(part) and len(part) == 1 and \
                        chinese.dictionary_tag(part) not in (None, "zg", "ng")):
                    pieces = None  # "村|村口": the suffix repeats; "堵|路": a verb
                    break
                pieces.append(word[:start - t_start])
                length += start - t_start
                start_at = t_start
                break
        else:
            start_at = start
        if pieces is None:
            continue
        for t_start, t_end, word in reversed(tokens):
            if t_end > start_at:
                continue
            if t_end < start_at:
                break
            road = word.endswith(ROAD_SUFFIXES) and SUFFIXES[suffix] != K.ROAD
            # "翠苑|小区": an estate's name before the generic word for one
            estate = suffix == "小区" and _suffix(word) and SUFFIXES[_suffix(word)] == K.ESTATE
            if not (road or estate) and (_suffix(word) or not _namelike(word)):
                break
            if length + len(word) > MAX_NAME:
                break
            pieces.append(word)
            length += len(word)
            start_at = t_start
        name = "".join(reversed(pieces)) + suffix
        if length == 0 or name in NOT_PLACES or (length < 2 and suffix not in ROAD_SUFFIXES
                                                 and suffix != "村"):
            continue
        taken.append((start_at, end))
        kind = SUFFIXES[suffix]
        if kind == K.ESTATE and suffix == "小区" and _suffix(name[:-2]) and \
                SUFFIXES[_suffix(name[:-2])] == K.ESTATE:
            name = name[:-2]  # 阳光花园小区 and 阳光花园 are one estate
        found.append(Found(_normal(name), text[start_at:end], kind, field, start_at))
    return found


def _suffix(word: str) -> str | None:
    for suffix in ORDERED_SUFFIXES:
        if word.endswith(suffix):
            return suffix
    return None


def _namelike(word: str) -> bool:
    """A word that can be part of a name before a suffix: Han characters or digits, not a
    function word, a verb, a number word, a word of the matter (垃圾, 占道 …)."""
    if word in chinese.STOPWORDS or word in chinese.DOMAIN_WORDS or word in GLUE:
        return False
    if not chinese.HAN_RE.match(word) and not word.isdigit():
        return False
    return chinese.dictionary_tag(word) in NAME_TAGS


def recognise(title: str = "", content: str = "", address: str = "") -> list[Found]:
    """The places a demand's texts name, in order of field and position, each name once
    per field."""
    known = gazetteer.current()
    out: list[Found] = []
    for field, text in (("title", title), ("content", content), ("address", address)):
        text = (text or "")[:2000]
        if not text:
            continue
        normal = chinese.normalise(text)  # one character for one: positions carry over
        taken: list[tuple[int, int]] = []
        seen = set()
        if known.pattern is not None:
            for match in known.pattern.finditer(normal):
                pk, name, kind = known.by_name[match.group(0)]
                taken.append(match.span())
                if name not in seen:
                    seen.add(name)
                    out.append(Found(name, text[match.start():match.end()], kind, field,
                                     match.start(), pk))
        for item in _by_form(text, field, taken):
            if item.name not in seen:
                seen.add(item.name)
                out.append(item)
    return out
