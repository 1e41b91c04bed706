"""Value tokens in a sentence: amounts with units or currencies, times, names."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EN_UNITS = (
    r"CNY|RMB|USD|EUR|GBP|JPY|HKD|yuan|dollars?|euros?|pounds?|bucks|percent|%|"
    r"a\.m\.|p\.m\.|am|pm|o'clock|years?\s+old|yrs?|years?|months?|weeks?|days?|"
    r"nights?|hours?|hrs?|minutes?|mins?|seconds?|secs?|kg|kilos?|grams?|g|lbs?|"
    r"kilometers?|km|miles?|meters?|m|cm|mm|ml|liters?|litres?|l|GB|MB|TB|"
    r"people|persons?|times|items?|pages?|k|million|billion"
)
_CURRENCY_SYMBOL = r"[$€£¥￥]"
_EN_NUMBER_VALUE = re.compile(
    rf"(?<![\w.]){_CURRENCY_SYMBOL}?\s?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?::\d\d)?"
    rf"(?:\s?(?:{_EN_UNITS})(?![A-Za-z]))?",
    re.IGNORECASE,
)
_ZH_UNITS = (
    r"万元|元|块钱|块|人民币|美元|欧元|英镑|日元|周岁|岁|天|日|周|星期|个月|月|年|小时|"
    r"分钟|秒|点半|点钟|点|公里|千米|厘米|毫米|米|斤|公斤|千克|克|%|万|千|百|次|人|号|层|楼|页|件"
)
_ZH_DAYPART = r"(?:上午|下午|晚上|早上|中午|凌晨|傍晚)"
_ZH_NUMBER_VALUE = re.compile(
    r"\d{1,4}年\d{1,2}月\d{1,2}(?:日|号)|\d{1,2}月\d{1,2}(?:日|号)|"
    rf"{_ZH_DAYPART}?\d+(?:\.\d+)?\s?(?:{_ZH_UNITS})?(?:\d+分)?"
    rf"|{_ZH_DAYPART}?[零〇一二两三四五六七八九十百千万]+(?:{_ZH_UNITS})(?:[零一二三四五六七八九十]+分)?"
)
_NAME_WORD = r"[A-Z][a-zA-Z'’\-]*\.?|[A-Z]{2,}"
_NAME_SEQUENCE = re.compile(
    rf"(?<![\w'])(?:{_NAME_WORD})(?:\s+(?:of\s+|de\s+|van\s+|von\s+)?(?:{_NAME_WORD}|\d+\b))*"
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
    kind: str  # "time", "money", "quantity:<unit>", "number", "name"
    start: int
    end: int


def _unit_of(value: str) -> str:
    match = re.search(r"[^\d\s.,:$€£¥￥]+$", value.strip())
    return match.group(0).lower() if match else ""


def value_kind(value: str) -> str:
    text = value.strip()
    lower = text.lower()
    if not re.search(r"\d", text) and not _ZH_NUMBER_VALUE.fullmatch(text):
        return "name"
    if re.search(r"\d:\d\d|\b(?:am|pm|a\.m\.|p\.m\.|o'clock)\b|点", lower):
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


def is_number_value(value: str) -> bool:
    return value_kind(value) != "name"


def _strip_name_opener(name: str) -> str:
    words = name.split()
    while words and words[0].lower().strip(".,") in _NOT_NAMES:
        words = words[1:]
    while words and words[-1].lower().strip(".,") in _NOT_NAMES:
        words = words[:-1]
    return " ".join(words)


def _name_values(text: str) -> list[Value]:
    found: list[Value] = []
    for match in _NAME_SEQUENCE.finditer(text):
        raw = match.group(0)
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
        found.append(Value(name, "name", start, start + len(name)))
    return found


def extract_values(text: str, include_names: bool = True) -> list[Value]:
    """Values in reading order; numbers with units and times first-class, then names."""
    values: list[Value] = []
    # Chinese units first so "800元" is not read as a bare "800".
    for match in _ZH_NUMBER_VALUE.finditer(text):
        raw = match.group(0).strip()
        if raw and re.search(r"[\u4e00-\u9fff%]", raw):
            values.append(Value(raw, value_kind(raw), match.start(), match.end()))
    for match in _EN_NUMBER_VALUE.finditer(text):
        raw = match.group(0).strip()
        if raw:
            start = match.start() + match.group(0).index(raw)
            if not any(v.start < start + len(raw) and start < v.end for v in values):
                values.append(Value(raw, value_kind(raw), start, start + len(raw)))
    if include_names:
        for name in _name_values(text):
            if not any(v.start < name.end and name.start < v.end for v in values):
                values.append(name)
    return sorted(values, key=lambda v: v.start)


def value_texts(text: str, include_names: bool = True) -> list[str]:
    return [value.text for value in extract_values(text, include_names)]


def complete_unit(bare: str, like: str) -> str:
    """"30" said against "14 days" means "30 days"; values that carry a unit stay."""
    if re.fullmatch(r"\d[\d,]*(?:\.\d+)?", bare.strip()):
        match = re.fullmatch(r"(" + _CURRENCY_SYMBOL + r")?\s?\d[\d,]*(?:\.\d+)?(.*)", like.strip())
        if match:
            prefix, suffix = match.group(1) or "", match.group(2)
            if prefix or suffix.strip():
                return f"{prefix}{bare.strip()}{suffix}"
    return bare.strip()


def same_value(a: str, b: str) -> bool:
    return re.sub(r"\s+", "", a).lower() == re.sub(r"\s+", "", b).lower()
