"""Masking personal data for public pages (R-PRIVACY): what a passer-by may see."""

from __future__ import annotations

import re


def mask_name(name: str) -> str:
    """张三丰 → 张**, 王女士 → 王**; empty stays empty."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short or odd numbers keep only their last two digits."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 4:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def phone_suffix_matches(phone: str, suffix: str) -> bool:
    digits = re.sub(r"\D", "", phone or "")
    suffix = re.sub(r"\D", "", suffix or "")
    return len(suffix) == 4 and len(digits) >= 4 and digits.endswith(suffix)


_ROAD = re.compile(r"^(.*?(?:大道|路|街|巷|道|广场|公园))")


def generalise_address(address: str) -> str:
    """宿迁市幸福路12号3单元 → 宿迁市幸福路附近: keep the road, drop the house."""
    address = (address or "").strip()
    if not address:
        return ""
    match = _ROAD.match(address)
    if match:
        return match.group(1) + "附近"
    return address[:6] + "附近"


def scrub(text: str, *names: str) -> str:
    """Replace the given personal names in free text by their masked form."""
    for name in names:
        if name and len(name.strip()) >= 2:
            text = text.replace(name.strip(), mask_name(name))
    return text


# --- personal data inside free text ---------------------------------------------------------
# Surnames that come before a courtesy title (李先生, 王女士, 欧阳女士): the common ones,
# without the rare surnames that are everyday words (位, 门, 来, 都 …: "这位先生" is nobody).
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容",
                     "长孙", "夏侯", "令狐", "司徒", "宇文", "端木", "申屠", "西门", "百里")
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫严段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱覃武戴莫孔向汤常温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
    "欧耿兰焦俞左柳祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛翁冉骆蓝路游辛靳管柴蒙鲍喻祁蒲"
    "房滕屈饶牟艾尤穆卓吉缪简车项连麦褚娄窦戚岑景宫费卜冷晏席米柏宗瞿桂佟臧闵苟邬边卞姬和"
    "栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查苑迟邝封谈匡鞠惠荆冀郁胥班储栗燕楚鄢劳谌奚皮粟冼"
    "蔺楼闻厉伊仝郜阚权帅屠豆朴盖练廉禹井祖漆巴丰卿狄计索宣晋扈晁芮阙浦戈伏鹿薄邸雍辜裘"
    "邰赫杭况逯茹诸慕危嵇湛宾戎勾茅揭檀昝植衡富尧")
# Surnames that also end everyday words before a title ("感谢陈师傅", "幸福路张师傅",
# "和环卫师傅"): a candidate starting with one of these is taken only when no other fits
# and it starts the sentence ("谢建国先生" after a comma is a name).
LEAD_INS = frozenset("谢和向于路江高时常")
TITLES = ("先生", "女士", "小姐", "师傅", "阿姨", "大爷", "大妈", "大姐", "大哥", "老师",
          "同志", "老板", "经理")
_TITLE = re.compile("|".join(TITLES))
_HAN = re.compile(r"[\u4e00-\u9fff]")

# ID-card numbers (18 digits, the last maybe X; 15 for the old cards) and anything as long
# (bank cards run to 19 digits): the first six and the last four stay.
_LONG_ID = re.compile(r"(?<!\d)(\d{6})(\d{5,9})(\d{3}[\dXx])(?![\dA-Za-z])")
_MOBILE = re.compile(
    r"(?<!\d)((?:(?:\+|00)?86)?[\s-]?)(1[3-9]\d)([\s-]?)(\d{4})([\s-]?\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(\(?0\d{2,3}\)?[\s-]?)(\d{3,4})([\s-]?\d{4})(?!\d)")
# A local number without its area code, recognisable only by what precedes it.
_LOCAL = re.compile(r"((?:电话|手机|座机|号码|联系方式|tel|Tel|TEL)[:：\s]*)(\d{3,4})([\s-]?\d{4})"
                    r"(?!\d)")


def _stars(match: re.Match, group: int) -> str:
    """The match with one group's characters replaced by stars."""
    start, end = match.span(group)
    whole_start = match.start()
    text = match.group(0)
    return text[:start - whole_start] + "*" * (end - start) + text[end - whole_start:]


def _titled_name(text: str, start: int, floor: int) -> int:
    """How many Han characters before ``text[start]`` (a title), not reaching back past
    ``floor``, are a name: the longest surname + up to two given characters, preferring
    one that does not start with a word-ending surname (0 when there is none)."""

    def starts_a_phrase(size):
        return start - size == 0 or not _HAN.match(text[start - size - 1])

    run = 0
    while run < 4 and start - run - 1 >= floor and _HAN.match(text[start - run - 1]):
        run += 1
    fits = []
    for size in range(run, 0, -1):
        candidate = text[start - size:start]
        if candidate[:2] in COMPOUND_SURNAMES:
            fits.append((candidate[:2], size))
        elif candidate[0] in SURNAMES and size <= 3:
            fits.append((candidate[0], size))
    for surname, size in fits:
        if surname[0] not in LEAD_INS:
            return size
    return next((size for _surname, size in fits if starts_a_phrase(size)), 0)


def _mask_titled_names(text: str) -> str:
    out, done = [], 0
    for match in _TITLE.finditer(text):
        start = match.start()
        size = _titled_name(text, start, done)
        out.append(text[done:start - size])
        out.append(mask_name(text[start - size:match.end()]) if size else match.group(0))
        done = match.end()
    out.append(text[done:])
    return "".join(out)


def mask_text(text: str, *names: str) -> str:
    """Free text as the public may read it: the given names masked (as ``scrub``), names
    before a courtesy title (李先生 → 李**), ID-card numbers (321302********1234), mobile
    numbers (138****5678, whatever the spaces, dashes or +86) and landlines
    (0527-****1234). Masking twice changes nothing more."""
    if not text:
        return text or ""
    variants = [name for name in names if name]
    variants += [re.sub(r"\s+", "", name) for name in variants]
    text = scrub(text, *variants)
    text = _LONG_ID.sub(lambda m: _stars(m, 2), text)
    text = _MOBILE.sub(lambda m: _stars(m, 4), text)
    text = _LANDLINE.sub(lambda m: _stars(m, 2), text)
    text = _LOCAL.sub(lambda m: _stars(m, 2), text)
    return _mask_titled_names(text)
