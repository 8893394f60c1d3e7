"""Credits printed before the text: lead credit lines and reporter lines.

A lead credit opens an article's first paragraph and names the agency and the
reporters: ``本报讯(记者 张明 通讯员 刘洋)``, ``本报讯 记者 张明 …`` or
``新华社北京3月5日电(记者 李华)``. A reporter line stands alone before the text:
``本报记者 张明``, ``记者 张明 王丽``, ``通讯员 刘洋``. Patterns match folded text
(``text.fold``), so both punctuation widths are read alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher.parse.byline import ROLE_WORDS, read_names
from publisher.parse.text import IDEOGRAPH, fold

# Agencies whose dispatches district papers reprint, and the paper's own 本报.
_AGENCIES = ("本报", "新华社", "中新社", "人民日报", "大众日报", "青岛日报", "青岛晚报", "央视新闻")
# Any other paper or agency: a name ending as papers' and agencies' names do.
_OTHER_AGENCY = rf"{IDEOGRAPH}{{1,6}}?(?:日报|晚报|通讯社|新闻社|社)"
_AGENCY = rf"(?P<agency>{'|'.join(_AGENCIES)}|{_OTHER_AGENCY})"
# Where and when it was filed: 北京3月5日; either may be missing.
_FILED = rf"(?P<place>{IDEOGRAPH}{{0,6}}?)\s*(?:\d{{1,2}}月\d{{1,2}}日)?"
# (讯 not followed by 员: 本报通讯员 is a reporter line, not the lead credit 本报通讯.)
_LEAD = re.compile(rf"^(?:据\s*)?{_AGENCY}{_FILED}\s*(?:电|讯(?!员))\s*")
_PAREN = re.compile(r"^\(([^()]{1,60})\)\s*")
_LONG_ROLES = sorted((r for r in ROLE_WORDS if len(r) > 1), key=len, reverse=True)
_ROLE_START = re.compile(rf"^(?:{'|'.join(map(re.escape, _LONG_ROLES))})")
# 文/张明, 图:李四, 摄影/王五: a role set off by a slash or colon, read as "文 张明".
_SLASHED_ROLE = re.compile(r"(^|\s)(文/图|图/文|文|图|摄影|摄|记者|通讯员)\s*[/:]\s*")
_SHORT_ROLE_START = re.compile(r"^[文图摄]\s")
_CREDIT_WORD = re.compile(r"^(?:报道|摄影报道|文/图|图/文)$")
# Common family names. A name glued to its role (记者张明), or one that a text without
# parentheses follows, must start with one: 记者节到了 is a sentence, not 记者 节到了.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚"
    "符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋"
    "商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟"
    "冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来"
    "扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾"
    "茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
)
_NAME_TOKEN = re.compile(
    rf"^{IDEOGRAPH}{{2,4}}$|^{IDEOGRAPH}{{1,8}}[\u00b7\u30fb]{IDEOGRAPH}{{1,8}}$"
)


@dataclass(frozen=True)
class LeadCredit:
    """What a lead credit said, and the paragraph's text after it."""

    source: str
    authors: tuple[str, ...]
    rest: str


def read_lead_credit(paragraph: str) -> LeadCredit | None:
    """The lead credit that opens ``paragraph``, or ``None``.

    ``本报讯(记者 张明)昨日…`` gives source 本报, authors (张明,), rest ``昨日…``.
    Names without parentheses run until the first word that is no name:
    ``本报讯 记者 张明 昨日下午,…``.
    """
    folded = fold(paragraph)
    lead = _LEAD.match(folded)
    if lead is None:
        return None
    position = lead.end()
    authors: tuple[str, ...] = ()
    if paren := _PAREN.match(folded[position:]):
        names = read_names(paren.group(1))
        if names is None:
            return None
        authors, position = names, position + paren.end()
    else:
        authors, position = _names_without_parentheses(folded, position)
    rest = paragraph[position:].lstrip(" \u3000")
    return LeadCredit(source=lead.group("agency"), authors=authors, rest=rest)


def _names_without_parentheses(
    folded: str, position: int, *, text_follows: bool = True
) -> tuple[tuple[str, ...], int]:
    """Role words and names after ``position``, up to the text: ``记者 张明 王丽 昨日…``.

    Only names that follow a role word are taken: ``本报讯 近日…`` names nobody.
    Where ``text_follows``, a word that could be a name or the text's first word
    (``今天``) counts as a name only if it starts with a family name.
    """
    names: list[str] = []
    seen_role = False
    end = position
    for match in re.finditer(r"\S+", folded[position:]):
        token = match.group()
        if token in ROLE_WORDS or _CREDIT_WORD.match(token):
            seen_role = True
        elif seen_role and _NAME_TOKEN.match(token) and (not text_follows or is_family_name(token)):
            names.append(token)
        elif (role := _ROLE_START.match(token)) and is_family_name(name := token[role.end() :]):
            seen_role = True
            names.append(name)  # 记者张明, glued
        else:
            break
        end = position + match.end()
    if not names:
        return (), position
    return tuple(names), end


def is_family_name(token: str) -> bool:
    """Whether ``token`` looks like a person's name: it starts with a common family name."""
    if not _NAME_TOKEN.match(token):
        return False
    return token[0] in _SURNAMES or token.startswith(_COMPOUND_SURNAMES) or "\u00b7" in token


def read_reporter_line(line: str) -> tuple[str, ...] | None:
    """The names of a reporter line (``本报记者 张明 通讯员 刘洋``, ``文/张明 图/李四``), or ``None``.

    The line must start with a role word and hold nothing but roles and names;
    ``记者节到了`` is a sentence, not a reporter line.
    """
    folded = _SLASHED_ROLE.sub(r"\1\2 ", fold(line).strip())
    if len(folded) > 60 or not (_ROLE_START.match(folded) or _SHORT_ROLE_START.match(folded)):
        return None
    names, end = _names_without_parentheses(folded, 0, text_follows=False)
    if not names or folded[end:].strip():
        return None
    return names
