"""Value tokens in a sentence: amounts with units or currencies, times, names."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.text.lexicon import EN_STOPWORDS, jieba_tagger
from pipeline.text.numbers import (
    EN_NUMBER_WORD_PATTERN,
    clock_minutes,
    format_clock_like,
    leading_number,
    strip_leading_number,
    zh_numeral,
)

_EN_UNITS = (
    r"CNY|RMB|USD|EUR|GBP|JPY|HKD|yuan|dollars?|euros?|pounds?|bucks|percent|%|"
    r"a\.m\.|p\.m\.|am|pm|o'clock|years?\s+old|yrs?|years?|months?|weeks?|days?|"
    r"nights?|hours?|hrs?|minutes?|mins?|seconds?|secs?|kg|kilos?|grams?|g|lbs?|"
    r"kilometers?|km|miles?|meters?|m|cm|mm|ml|mg|mcg|IU|liters?|litres?|l|GB|MB|TB|"
    r"people|persons?|times|items?|pages?|k|million|billion"
)
_CURRENCY_SYMBOL = r"[$€£¥￥]"
_EN_NUMBER_VALUE = re.compile(
    rf"(?<![A-Za-z0-9_.:\-]){_CURRENCY_SYMBOL}?\s?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?::\d\d)?"
    rf"(?:\s?(?:{_EN_UNITS})(?![A-Za-z]))?",
    re.IGNORECASE,
)
# Number words count as values only with a unit ("two days"), never alone ("nice one").
_EN_WORD_NUMBER_VALUE = re.compile(
    rf"(?<![A-Za-z])(?:{EN_NUMBER_WORD_PATTERN})\s+(?:{_EN_UNITS})(?![A-Za-z])", re.IGNORECASE
)
_EN_DAY_STEM = r"(?i:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)"
_EN_DAY = rf"{_EN_DAY_STEM}(?i:days?)"
# A list of days is one value: "Tuesdays and Thursdays", "Monday/Wednesday/Friday", "周二和周四".
_WEEKDAY_VALUE = re.compile(
    rf"(?<![A-Za-z]){_EN_DAY}(?:\s*(?:,|/|&|\band\b|\bor\b)\s*{_EN_DAY})*(?![A-Za-z])"
    r"|(?:周|星期|礼拜)[一二三四五六日天](?![天个])(?:[、和/]?(?:周|星期|礼拜)[一二三四五六日天](?![天个]))*",
)
# A height in feet and inches is one value: "5'8\"", "5’10", "6 ft 1", "5 feet 8 inches".
_FEET_INCHES_VALUE = re.compile(
    r"(?<![\w.'’])[4-7]\s?(?:['’′]\s?(?:1[01]|\d)(?:\s?(?:[\"”″]|in\b|inch(?:es)?\b))?"
    r"|(?:ft|feet|foot)\b(?:\s?(?:1[01]|\d)(?:\s?(?:[\"”″]|in\b|inch(?:es)?\b))?)?)"
)
# A number in groups ("555-0142", "+44 20 7946 0958"), a mobile ("13812345678"), or a landline
# after its area code ("0755-88881234").
_PHONE_VALUE = re.compile(r"(?<![\d\-])(?:\+?\d{1,3}[\s\-])?(?:\(?\d{2,4}\)?[\s\-])?\d{3,4}[\s\-]\d{4}(?![\d\-])|(?<!\d)1[3-9]\d{9}(?!\d)|"
                          r"(?<![\d\-])\(?0\d{2,3}\)?[\s\-]\d{7,8}(?![\d\-])")
_EMAIL_VALUE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# A street address is one value: "浦东新区张江路88号" replaces "朝阳区建国路1号" whole, never only its number.
_ADDRESS_VALUE = re.compile(
    r"(?:(?<=[是在到成为住搬寄：:，,\s])|^)"
    r"(?:[^\W\d_A-Za-z是在到成为改换住搬寄也都的了]{1,6}?(?:省|市|区|县|镇|乡))*"
    r"[^\W\d_A-Za-z是在到成为改换住搬寄也都的了]{1,8}?(?:大道|路|街|巷|胡同)\d+(?:弄(?:\d+号)?|号)"
    r"(?:\d+(?:号楼|栋|幢|单元|室))*"
    r"|(?<![\w-])\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl)\b\.?"
)
# A part of the day on its own ("every morning", "at night", "每天早上"), not the daypart of a clock
# time ("晚上7点").
_DAYPART_VALUE = re.compile(
    r"(?i:\b(?:every|each|in\s+the|at|by|before|after)\s+(?:morning|afternoon|evening|night|noon|midnight|bedtime|lunch(?:time)?|"
    r"breakfast|dinner)s?\b|\b(?:mornings|afternoons|evenings|nights|bedtime|at\s+night|tonight)\b)"
    r"|(?:每天|每晚|每日)?(?:早上|早晨|上午|中午|下午|傍晚|晚上|夜里|半夜|凌晨|睡前|饭后|饭前)(?![零〇一二两三四五六七八九十\d])"
)
_DIGIT = re.compile(r"\d")
# "8月13日", and in Chinese numerals "八月十三号".
_ZH_NUMERAL_DATE = r"[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}(?:日|号)"
_ZH_DATE_VALUE = re.compile(rf"(?:\d{{1,4}}年)?\d{{1,2}}月\d{{1,2}}(?:日|号)|{_ZH_NUMERAL_DATE}")
# School years: "third grade", "3rd grade", "四年级", "初二".
_GRADE_VALUE = re.compile(
    r"(?i:\b(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth)\s+grade\b|\b(?:kindergarten|pre-?school|pre-?k|nursery)\b)|[一二三四五六七八九\d]年级|[初高研][一二三]|大[一二三四五]|幼儿园[大中小]班|学前班"
)
# A month written out or shortened ("September", "Sept", "Sep").
_EN_MONTH = (r"(?i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
             r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_EN_DATE_VALUE = re.compile(
    rf"(?<![A-Za-z]){_EN_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b|"
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_EN_MONTH}\.?(?:,?\s+\d{{4}})?\b|"
    # "as of January 2025": a month of a year.
    rf"(?<![A-Za-z]){_EN_MONTH}\.?,?\s+\d{{4}}\b|"
    # "not the 14th": a day of the month on its own.
    r"(?<=the\s)\d{1,2}(?:st|nd|rd|th)\b(?!\s+(?:grade|floor|place|time|year|street|st|avenue|ave|edition|round|"
    r"anniversary|birthday))"
)
# Chinese names: what something is called ("叫球球"), and people's names jieba tags.
_ZH_CALLED_NAME = re.compile(
    r"(?:叫|名叫|名字是|名字叫|昵称是|改名为|改名叫)(?P<name>[\u4e00-\u9fff]{1,4}?)(?=[，,。！!？?的不是和跟\s～~了啦吧]|$)"
)
_ZH_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳"
)
_ZH_UNITS = (
    r"万元|元|块钱|块|人民币|美元|欧元|英镑|日元|周岁|岁|天|日|周|星期|个月|月|年|小时|"
    r"分钟|秒|点半|点钟|点|公里|千米|英里|厘米|毫米|米|斤|公斤|千克|克|%|万|千|百|次|人|号|层|楼|页|件|"
    r"个|只|条|位|名|杯|本|辆|台|套|间|口|瓶|碗|份|张|双|节|门|所|种|户|片|粒|颗|包|盒|支|根|把|趟|遍|级|段|档|星"
)
_ZH_DAYPART = r"(?:上午|下午|晚上|早上|中午|凌晨|傍晚)"
_ZH_NUMBER_VALUE = re.compile(
    rf"\d{{1,4}}年\d{{1,2}}月\d{{1,2}}(?:日|号)|\d{{1,2}}月\d{{1,2}}(?:日|号)|{_ZH_NUMERAL_DATE}|"
    rf"{_ZH_DAYPART}?\d+(?:\.\d+)?\s?(?:{_ZH_UNITS})?(?:\d+分)?"
    # "一万五", "三千二": a digit after 万, 千 or 百 counts the next unit down (15000, 3200)
    rf"|[零〇一二两三四五六七八九十百千万]*[百千万][一二两三四五六七八九](?![零〇一二两三四五六七八九十百千万]|{_ZH_UNITS})"
    rf"|{_ZH_DAYPART}?[零〇一二两三四五六七八九十百千万]+(?:{_ZH_UNITS})(?![级])(?:[零一二三四五六七八九十]+分)?"
)
_NAME_WORD = r"[A-Z][a-zA-Z0-9'’\-]*\.?|[A-Z]{2,}"
_NAME_SEQUENCE = re.compile(
    rf"(?<![A-Za-z0-9_'])(?:{_NAME_WORD})(?:\s+(?:of\s+|de\s+|van\s+|von\s+|&\s+)?(?:{_NAME_WORD}|\d+\b))*"
)

# Capitalised words that are not names (sentence openers, pronouns, calendar words).
_NOT_NAMES = {
    "i", "i'm", "i've", "i'd", "i'll", "the", "a", "an", "my", "it", "it's", "that", "that's",
    "this", "please", "actually", "also", "no", "not", "yes", "wrong", "correction", "user",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mondays", "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "am", "pm", "we", "he", "she", "they", "our", "his",
    "her", "their", "on", "in", "at", "for", "and", "but", "or", "so", "now", "from", "since",
}


@dataclass(frozen=True)
class Value:
    text: str
    kind: str  # "time", "weekday", "money", "age", "quantity:<unit>", "number", "name"
    start: int
    end: int


_CURRENCY_CODE_START = re.compile(r"^(?:CNY|RMB|USD|EUR|GBP|JPY|HKD)\b", re.IGNORECASE)
# Units that measure the same thing, so "5公里" can replace "5英里".
_UNIT_FAMILIES = {
    "distance": {"km", "kilometer", "kilometre", "mile", "m", "meter", "metre", "公里", "千米", "英里", "米"},
    "duration": {"day", "week", "month", "year", "hour", "hr", "minute", "min", "天", "日", "周", "星期",
                 "个月", "月", "年", "小时", "分钟", "night"},
    "mass": {"kg", "kgs", "kilo", "kilos", "gram", "g", "lb", "lbs", "pound", "pounds", "斤", "公斤", "千克", "克"},
}


def _unit_of(value: str) -> str:
    rest = strip_leading_number(value)
    match = re.search(r"[^\d\s.,:$€£¥￥]+$", rest)
    return match.group(0).lower() if match else ""


@lru_cache(maxsize=4096)
def value_kind(value: str) -> str:
    text = value.strip()
    lower = text.lower()
    if _WEEKDAY_VALUE.fullmatch(text):
        return "weekday"
    if _FEET_INCHES_VALUE.fullmatch(text):
        return "height"
    if _DAYPART_VALUE.fullmatch(text):
        return "daypart"
    if _EN_DATE_VALUE.fullmatch(text) or _ZH_DATE_VALUE.fullmatch(text):
        return "date"
    if _GRADE_VALUE.fullmatch(text):
        return "grade"
    if _PHONE_VALUE.fullmatch(text):
        return "phone"
    if _ADDRESS_VALUE.fullmatch(text):
        return "address"
    if _EMAIL_VALUE.fullmatch(text):
        return "email"
    if re.match(r"[A-Za-z]", text) and not _CURRENCY_CODE_START.match(text) and not re.match(
        rf"(?:{EN_NUMBER_WORD_PATTERN})\s", text, re.IGNORECASE
    ):
        return "name"
    if not re.search(r"\d", text) and not (_ZH_NUMBER_VALUE.fullmatch(text) or _EN_WORD_NUMBER_VALUE.fullmatch(text)):
        return "name"
    if re.search(r"\d:\d\d|(?:\b|(?<=\d))(?:am|pm|a\.m\.|p\.m\.|o'clock)\b|点", lower):
        return "time"
    if re.search(_CURRENCY_SYMBOL, text) or re.search(
        r"cny|rmb|usd|eur|gbp|jpy|hkd|yuan|dollar|euro|pound|bucks|元|块|美元|欧元|人民币", lower
    ):
        return "money"
    if re.search(r"years?\s+old|岁", lower):
        return "age"
    unit = _unit_of(text)
    if not unit:
        return "number"
    unit = unit.rstrip("s") if unit.endswith("s") and len(unit) > 2 else unit
    return f"quantity:{unit}"


def unit_family(kind: str) -> str:
    if not kind.startswith("quantity:"):
        return kind
    unit = kind.split(":", 1)[1]
    for family, units in _UNIT_FAMILIES.items():
        if unit in units:
            return family
    return kind


def compatible_kinds(a: str, b: str) -> bool:
    """Whether a value of kind `b` can stand where a value of kind `a` stood."""
    if a == b or unit_family(a) == unit_family(b):
        return True
    if "quantity:k" in (a, b) and {a, b} - {"quantity:k"} <= {"money", "number"}:
        return True  # "68k" stands where "$65,000" stood: k is thousands
    numeric = {a, b} - {"name", "weekday", "date", "grade", "phone", "email", "address", "daypart", "letter"}
    return len(numeric) == 2 and "number" in numeric


def is_number_value(value: str) -> bool:
    return value_kind(value) != "name"


def _strip_name_opener(name: str) -> str:
    words = name.split()
    while words and words[0].lower().strip(".,") in _NOT_NAMES:
        words = words[1:]
    while words and words[-1].lower().strip(".,") in _NOT_NAMES:
        words = words[:-1]
    return " ".join(words)


# "A positive", "O-": a capital with its sign is one letter type (the sign is part of it), even the
# "A" an article would otherwise be.
_SIGNED_LETTER = re.compile(r"\b[A-Z](?:[+\-−](?![\w])|\s+(?:positive|negative|pos|neg)\b)")


def _name_values(text: str) -> list[Value]:
    found: list[Value] = []
    for match in _NAME_SEQUENCE.finditer(text):
        # "Leo's 9": a name's "'s" before a bare number is "is", not part of a model name ("Pixel 8").
        raw = re.sub(r"(['’]s)\s+\d+\b.*$", r"\1", match.group(0))
        name = _strip_name_opener(raw.rstrip("'’"))
        if not name or name[0].isdigit():
            continue
        if name.endswith(".") and not re.search(r"\b(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Dr|Mr|Mrs|Ms)\.$", name):
            name = name[:-1]
        name = re.sub(r"['’]s$", "", name)
        start = text.find(name, match.start())
        preceding = text[:start].rstrip()
        at_sentence_start = not preceding or preceding[-1] in ".!?:;\"'“‘-—"
        if at_sentence_start and " " not in name:
            # "Expense reports ..." : a lone capitalised opener is usually not a name.
            continue
        # One capital on its own is a letter grade or type ("O型", "vitamin D", "type A"), never a name.
        found.append(Value(name, "letter" if len(name) == 1 else "name", start, start + len(name)))
    return found


# "an iphone 13", "a pixel 8", "in year 4", "at gate 12": a word and a number after a determiner or
# preposition name one thing (a model, a class, a place) in any casing.
_MODEL = re.compile(
    r"\b(?P<before>a|an|the|my|our|his|her|their|its|in|on|at|to|from)\s+"
    rf"(?P<model>(?P<word>[A-Za-z][A-Za-z\-]{{1,15}})\s+\d{{1,4}}[A-Za-z]?)(?![\w.:,/]\w|\s*(?:{_EN_UNITS})\b)",
    re.IGNORECASE,
)


def _model_values(text: str) -> list[Value]:
    return [
        Value(m.group("model"), "name", m.start("model"), m.end("model"))
        for m in _MODEL.finditer(text)
        if m.group("word").casefold() not in EN_STOPWORDS and not _EN_WORD_NUMBER_VALUE.match(m.group("word") + " x")
        and not _EN_DATE_VALUE.match(m.group("model"))
    ]


def _zh_name_values(text: str) -> list[Value]:
    found = [Value(m.group("name"), "name", m.start("name"), m.end("name")) for m in _ZH_CALLED_NAME.finditer(text)]
    for name, start in _zh_person_names(text):
        if not _overlaps(found, start, start + len(name)):
            found.append(Value(name, "name", start, start + len(name)))
    return found


def _zh_person_names(text: str) -> list[tuple[str, int]]:
    # A person's name starts with a surname: a text holding none needs no tagging.
    if _ZH_SURNAMES.isdisjoint(text):
        return []
    names: list[tuple[str, int]] = []
    position = 0
    for pair in jieba_tagger().lcut(text):
        word, flag = pair.word, pair.flag
        start = text.find(word, position)
        position = start + len(word) if start >= 0 else position
        if flag == "nr" and 2 <= len(word) <= 4 and word[0] in _ZH_SURNAMES and start >= 0:
            names.append((word, start))
    return names


def _overlaps(values: list[Value], start: int, end: int) -> bool:
    return any(v.start < end and start < v.end for v in values)


def extract_values(text: str, include_names: bool = True) -> list[Value]:
    """Values in reading order; numbers with units and times first-class, then names."""
    return list(_extract_values(text, include_names))


@lru_cache(maxsize=4096)
def _extract_values(text: str, include_names: bool) -> tuple[Value, ...]:
    values: list[Value] = []
    for match in _WEEKDAY_VALUE.finditer(text):
        values.append(Value(match.group(0), "weekday", match.start(), match.end()))
    # Dates, addresses, heights and phone numbers all hold a digit, an email an "@": most memories
    # hold neither, and those patterns are skipped.
    has_digit = _DIGIT.search(text) is not None
    if has_digit:
        for match in _EN_DATE_VALUE.finditer(text):
            values.append(Value(match.group(0), "date", match.start(), match.end()))
    if "@" in text:
        for match in _EMAIL_VALUE.finditer(text):
            values.append(Value(match.group(0), "email", match.start(), match.end()))
    if has_digit:
        for match in _ADDRESS_VALUE.finditer(text):
            if not _overlaps(values, match.start(), match.end()):
                values.append(Value(match.group(0).rstrip("."), "address", match.start(), match.start() + len(match.group(0).rstrip("."))))
        for match in _FEET_INCHES_VALUE.finditer(text):
            values.append(Value(match.group(0), "height", match.start(), match.end()))
        for match in _PHONE_VALUE.finditer(text):
            if _overlaps(values, match.start(), match.end()):
                continue
            values.append(Value(match.group(0), "phone", match.start(), match.end()))
    for match in _DAYPART_VALUE.finditer(text):
        if not _overlaps(values, match.start(), match.end()):
            values.append(Value(match.group(0), "daypart", match.start(), match.end()))
    for match in _GRADE_VALUE.finditer(text):
        if not _overlaps(values, match.start(), match.end()):
            values.append(Value(match.group(0), "grade", match.start(), match.end()))
    # Chinese units first so "800元" is not read as a bare "800".
    for match in _ZH_NUMBER_VALUE.finditer(text):
        raw = match.group(0).strip()
        if raw and re.search(r"[\u4e00-\u9fff%]", raw) and not _overlaps(values, match.start(), match.end()):
            values.append(Value(raw, value_kind(raw), match.start(), match.end()))
    for match in _EN_WORD_NUMBER_VALUE.finditer(text):
        if not _overlaps(values, match.start(), match.end()):
            values.append(Value(match.group(0), value_kind(match.group(0)), match.start(), match.end()))
    if include_names:
        for model in _model_values(text):
            if not _overlaps(values, model.start, model.end):
                values.append(model)
    for match in _EN_NUMBER_VALUE.finditer(text):
        raw = match.group(0).strip()
        if raw:
            start = match.start() + match.group(0).index(raw)
            if not _overlaps(values, start, start + len(raw)):
                values.append(Value(raw, value_kind(raw), start, start + len(raw)))
    if include_names and re.search(r"[\u4e00-\u9fff]", text):
        for name in _zh_name_values(text):
            if not _overlaps(values, name.start, name.end):
                values.append(name)
    for match in _SIGNED_LETTER.finditer(text):
        if not _overlaps(values, match.start(), match.end()):
            values.append(Value(match.group(0), "letter", match.start(), match.end()))
    if include_names:
        for name in _name_values(text):
            inside = [v for v in values if name.start <= v.start and v.end <= name.end and v.kind == "number"]
            if inside and " " in name.text:
                # "Tesla Model 3": the number is part of the name.
                values = [v for v in values if v not in inside]
            if not any(v.start < name.end and name.start < v.end for v in values):
                values.append(name)
    return tuple(sorted(values, key=lambda v: v.start))


def value_texts(text: str, include_names: bool = True) -> list[str]:
    return [value.text for value in extract_values(text, include_names)]


def complete_unit(bare: str, like: str) -> str:
    """"30" said against "14 days" means "30 days"; values that carry a unit stay."""
    clock = re.fullmatch(r"(\d{1,2}):\d\d(.*)", like.strip())
    if re.fullmatch(r"\d{1,2}", bare.strip()) and clock:
        return f"{bare.strip()}:00{clock.group(2)}"
    if re.fullmatch(r"\d[\d,]*(?:\.\d+)?", bare.strip()):
        match = re.fullmatch(r"(" + _CURRENCY_SYMBOL + r")?\s?\d[\d,]*(?:\.\d+)?(.*)", like.strip())
        if match:
            prefix, suffix = match.group(1) or "", match.group(2)
            if prefix or suffix.strip():
                return f"{prefix}{bare.strip()}{suffix}"
    return bare.strip()


_THOUSANDS = re.compile(r"(\d+(?:\.\d+)?)\s?[kK]")


def in_full_thousands(value: str, like: str) -> str:
    """"68k" said against "$65,000" is "68,000"; against a value under a thousand it stays as said."""
    short = _THOUSANDS.fullmatch(value.strip())
    held = leading_number(re.sub(r"[^\d.]", "", like) or "x")
    if short is None or held is None or held < 1000:
        return value
    amount = round(float(short.group(1)) * 1000)
    return f"{amount:,}" if "," in like else str(amount)


def has_digits(text: str) -> bool:
    return bool(re.search(r"\d", text))


_BARE_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")


def styled_like(new: str, old: str) -> str:
    """`new` written the way `old` was: "9" for "8:30 AM" is "9:00 AM", "14th" for "June 4" is "June 14"."""
    kind = value_kind(new)
    if kind == "time":
        return format_clock_like(new, old)
    if kind == "number":
        return complete_unit(new, old)
    if kind == "height" and value_kind(old) == "height":
        return _feet_inches_like(new, old)
    if kind == "weekday" and value_kind(old) == "weekday" and re.search(r"[A-Za-z]", new):
        # "on Tuesdays" → "on Mondays and Wednesdays"; "every Tuesday" → "every Friday".
        plural = bool(re.search(r"(?i)days\b", old))
        return re.sub(r"(?i)(day)s?\b", r"\1s" if plural else r"\1", new)
    day = _BARE_DAY.fullmatch(new.strip())
    if kind == "date" and day and value_kind(old) == "date" and len(re.findall(r"\d+", old)) == 1:
        return re.sub(r"\d{1,2}(?:st|nd|rd|th)?", day.group(1), old, count=1)
    if kind == "date" and value_kind(old) == "date":
        return _months_written_like(new, old)
    return new


_MONTH_NAMES = [name for name in calendar.month_name if name]
_MONTH_WORD = re.compile(rf"\b{_EN_MONTH}\b\.?")
_MONTH_ABBREVIATIONS = [name[:3].lower() for name in _MONTH_NAMES]


def _date_parts(date: str) -> tuple[int | None, list[str]]:
    """A date's month named in words ("March 3" and "3 March": month 3, the numbers in either
    order), or its numbers in order ("8月13号")."""
    month = _MONTH_WORD.search(date)
    numbers = re.findall(r"\d+", date)
    if month is None:
        return None, numbers
    return _MONTH_ABBREVIATIONS.index(month.group(0)[:3].lower()) + 1, sorted(numbers)


def _months_written_like(new: str, old: str) -> str:
    """"19 sept" where "9 September" stood is "19 September": a month in the old value's spelling."""
    full = {name[:3].lower(): name for name in _MONTH_NAMES if name in old}
    if not full:
        return new
    return _MONTH_WORD.sub(lambda m: full.get(m.group(0)[:3].lower(), m.group(0)), new)


_NAME_LINKS = {"the", "of", "and", "for", "&"}


def is_initialism_of(short: str, name: str) -> bool:
    """"NYT" for "The New York Times", "UCLA" for "University of California Los Angeles": the
    capitals of a name's words (its linking words may be skipped)."""
    letters = short.strip()
    if not (2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()):
        return False
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w[0].isupper() or w.lower() not in _NAME_LINKS]
    if len(words) < 2:
        return False
    capitals = "".join(w[0] for w in words).upper()
    significant = "".join(w[0] for w in words if w.lower() not in _NAME_LINKS).upper()
    return letters in (capitals, significant)


def _feet_inches_like(new: str, old: str) -> str:
    """"5'10" against "5'8\"" is "5'10\"": the old height's marks around the new figures."""
    feet, inches = re.findall(r"\d+", new)[:2] if len(re.findall(r"\d+", new)) >= 2 else (None, None)
    marks = re.fullmatch(r"\d+(\D+?)\d+(\D*)", old.strip())
    if feet is None or marks is None:
        return new
    return f"{feet}{marks.group(1)}{inches}{marks.group(2)}"


def _days(text: str) -> list[str]:
    """"Tuesdays and Thursdays" → ["tue", "thu"], "周二和周四" → ["二", "四"]."""
    return [day.lower()[:3] for day in re.findall(_EN_DAY_STEM, text)] or \
        re.findall(r"[一二三四五六日天]", text)


def digitised(text: str) -> str:
    """Chinese numerals as digits ("八月十三号" → "8月13号")."""
    return re.sub(r"[零〇一二两三四五六七八九十百千万]+", lambda m: str(zh_numeral(m.group(0)) or m.group(0)), text)


def same_value(a: str, b: str) -> bool:
    """Same text, the same amount written differently ("two days" / "2 days", "12点" / "12:00"), or
    a name and its initials ("NYT" / "The New York Times")."""
    if re.sub(r"\s+", "", a).lower() == re.sub(r"\s+", "", b).lower():
        return True
    if is_initialism_of(a, b) or is_initialism_of(b, a):
        return True
    kind_a, kind_b = value_kind(a), value_kind(b)
    if kind_a == kind_b == "weekday":
        return _days(a) == _days(b)
    if kind_a == kind_b == "height":
        return re.findall(r"\d+", a) == re.findall(r"\d+", b)
    if kind_a == kind_b == "date":
        digits_a, digits_b = digitised(a), digitised(b)
        if has_digits(digits_a) and has_digits(digits_b):
            return _date_parts(digits_a) == _date_parts(digits_b)
    if kind_a == kind_b == "phone":
        return re.sub(r"\D", "", a) == re.sub(r"\D", "", b)
    if {kind_a, kind_b} & {"name", "weekday", "date", "grade", "phone", "email", "address", "letter"}:
        return False
    if kind_a == "time" or kind_b == "time":
        return kind_a == kind_b and bool(clock_minutes(a) & clock_minutes(b))
    if kind_a != kind_b:
        return False
    digits_a = re.findall(r"\d+(?:\.\d+)?", a.replace(",", ""))
    digits_b = re.findall(r"\d+(?:\.\d+)?", b.replace(",", ""))
    if len(digits_a) > 1 or len(digits_b) > 1:
        # Dates and ranges ("5月3日"): every number must agree.
        return [float(d) for d in digits_a] == [float(d) for d in digits_b]
    amount_a, amount_b = leading_number(a), leading_number(b)
    return amount_a is not None and amount_a == amount_b
