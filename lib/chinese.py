"""Chinese text: segmentation (jieba), character n-grams and a cheap similarity.

Routing, duplicate detection, hotspots and search all read text through these few
functions, so that "what counts as a word" is decided once.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
import warnings

jieba = None  # imported on first use: a quarter of a second every process need not pay
_ready = threading.Lock()
_initialised = False

# Runs of Han characters, and of Latin letters/digits (plate numbers, street numbers).
RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+")
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# Words that appear in nearly every hotline record and carry no meaning for routing,
# clustering or key-word labels.
STOPWORDS = frozenset(str.split("""
的 了 在 是 我 有 和 就 不 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 这个 那个
请 您 我们 他们 她们 反映 问题 希望 市民 来电 来电人 处理 情况 存在 附近 目前 已经 非常 严重 要求
相关 部门 尽快 进行 导致 影响 现在 一直 经常 每天 还 又 被 把 给 让 对 与 及 或 等 其 该 此 为 从
"""))


# Urban-management vocabulary jieba's general dictionary splits apart.
DOMAIN_WORDS = str.split("""
占道经营 占道 流动摊贩 跨门营业 出店经营 违章搭建 违法建设 私搭乱建 渣土车 渣土 油烟 噪音 噪声
夜市 烧烤 露天烧烤 乱堆乱放 乱贴乱画 牛皮癣 小广告 井盖 窨井盖 路灯 垃圾桶 垃圾箱 暴露垃圾
建筑垃圾 生活垃圾 垃圾清运 公厕 环卫 保洁 绿化带 行道树 树木 积水 下水道 窨井 停车 乱停车
非机动车 共享单车 户外广告 店招 门头 洒水车 扬尘 工地 施工 夜间施工 城管 执法 市容 破损 堵塞
撒漏 遗撒 抛洒
""")


def _initialise() -> None:
    global _initialised
    if _initialised:
        return
    global jieba
    with _ready:
        if not _initialised:
            with warnings.catch_warnings():  # jieba 0.42 compiles regexes with old-style escapes
                warnings.simplefilter("ignore", SyntaxWarning)
                warnings.simplefilter("ignore", DeprecationWarning)  # what 3.11 calls them
                import jieba as module
            module.setLogLevel(logging.WARNING)
            jieba = module
            jieba.initialize()
            for word in DOMAIN_WORDS:
                jieba.add_word(word, freq=20000)
            _initialised = True


def normalise(text: str) -> str:
    """Full-width to half-width, lower case (NFKC folds 'ＡＢＣ１２' to 'abc12')."""
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """jieba's words of ``text`` without punctuation (and without stop words)."""
    _initialise()
    out = []
    for run in RUN_RE.findall(normalise(text)):
        for word in jieba.cut(run, HMM=False) if HAN_RE.match(run) else (run,):
            if keep_stopwords or word not in STOPWORDS:
                out.append(word)
    return out


_tags = None  # jieba's word → part-of-speech table, loaded on first use


def dictionary_tag(word: str) -> str | None:
    """jieba's part-of-speech tag for a word of its dictionary (``ns`` place name, ``f``
    direction, ``s`` locative, ``t`` time, ``m`` numeral …); None for words it does not
    list (the urban-management words added here among them)."""
    _initialise()
    global _tags
    if _tags is None:
        with _ready:
            if _tags is None:
                with warnings.catch_warnings():  # old-style escapes, as above
                    warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
                    import jieba.posseg

                _tags = jieba.posseg.dt.word_tag_tab
    return _tags.get(word)


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of each Han run (a lone character stands for itself);
    Latin/digit runs whole. Any substring of two or more Han characters is a run of
    consecutive bigrams, which is what makes substring search possible on a word index."""
    out = []
    for run in RUN_RE.findall(normalise(text)):
        if not HAN_RE.match(run) or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def shingles(text: str) -> frozenset[str]:
    """The set of character bigrams, for similarity."""
    return frozenset(bigrams(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similarity(a: str, b: str) -> float:
    """0–1: how much two texts share, by character bigrams (robust to segmentation)."""
    return jaccard(shingles(a), shingles(b))
