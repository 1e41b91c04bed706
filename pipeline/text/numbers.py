"""Numbers and clock times however they are written: "two", "a dozen", "两", "十二", "1点半", "9 AM"."""

from __future__ import annotations

import re

from pipeline.text.lexicon import phrase_alternation

EN_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "dozen": 12, "a dozen": 12, "a couple of": 2, "a couple": 2, "couple of": 2,
}
EN_NUMBER_WORD_PATTERN = phrase_alternation(EN_NUMBER_WORDS)
ZH_NUMERALS = "零〇一二两三四五六七八九十百千万"
_ZH_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_ZH_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_ZH_DAY_EARLY = re.compile(r"上午|早上|凌晨|早晨|清晨")
_ZH_DAY_LATE = re.compile(r"下午|晚上|傍晚|夜里|晚")


_EN_UNITS_WORDS = {w: n for w, n in EN_NUMBER_WORDS.items() if " " not in w and w not in ("hundred", "dozen")}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_EN_COMPOUND = re.compile(
    rf"\b(?:{'|'.join(_EN_UNITS_WORDS)})(?:(?:\s+|-)(?:and\s+)?(?:{'|'.join([*_EN_UNITS_WORDS, *_EN_SCALES])}))+\b",
    re.IGNORECASE,
)


def _compound_value(words: list[str]) -> int | None:
    total, current = 0, 0
    for word in words:
        if word in _EN_SCALES:
            scale = _EN_SCALES[word]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
        elif word in _EN_UNITS_WORDS:
            value = _EN_UNITS_WORDS[word]
            if current % 100 and value < 10 and current % 10 == 0 and current % 100 >= 20:
                current += value  # "twenty five"
            elif current % 100 == 0:
                current += value
            else:
                return None  # "two three": two numbers, not one
        else:
            return None
    return total + current


def en_compound_numbers(text: str) -> str:
    """Number words that make one number written as digits: "fifteen hundred" → "1500",
    "twenty-five" → "25", "three hundred and fifty" → "350". A single word stays as written."""
    def digits(match: re.Match[str]) -> str:
        words = [w for w in re.split(r"[\s\-]+", match.group(0).lower()) if w != "and"]
        value = _compound_value(words)
        return str(value) if value is not None else match.group(0)

    return _EN_COMPOUND.sub(digits, text)


def zh_numeral(text: str) -> int | None:
    """"十二" → 12, "两" → 2, "一百零五" → 105, "一万五" → 15000, "三千二" → 3200; None when `text`
    is not a numeral."""
    if not text or any(char not in ZH_NUMERALS for char in text):
        return None
    if len(text) >= 2 and text[-2] in "百千万" and text[-1] in _ZH_DIGITS and text[-1] not in "零〇":
        # A digit after 百, 千 or 万 (and no 零 between) counts the next unit down.
        head = zh_numeral(text[:-1])
        return None if head is None else head + _ZH_DIGITS[text[-1]] * _ZH_MULTIPLIERS[text[-2]] // 10
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
            continue
        multiplier = _ZH_MULTIPLIERS[char]
        if multiplier == 10000:
            total = (total + section + digit) * multiplier
            section, digit = 0, 0
        else:
            section += (digit or 1) * multiplier
            digit = 0
    return total + section + digit


def leading_number(text: str) -> float | None:
    """The amount a value starts with, in any of the spellings above."""
    stripped = re.sub(r"^[$€£¥￥]\s?", "", text.strip())
    match = re.match(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", stripped)
    if match:
        return float(match.group(0).replace(",", ""))
    match = re.match(rf"(?:{EN_NUMBER_WORD_PATTERN})\b", stripped, re.IGNORECASE)
    if match:
        return float(EN_NUMBER_WORDS[re.sub(r"\s+", " ", match.group(0).lower())])
    match = re.match(f"[{ZH_NUMERALS}]+", stripped)
    if match:
        value = zh_numeral(match.group(0))
        return float(value) if value is not None else None
    return None


def strip_leading_number(text: str) -> str:
    """The unit part of a value: "two days" → "days", "3个月" → "个月"."""
    stripped = re.sub(r"^[$€£¥￥]?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", "", text.strip())
    if stripped == text.strip():
        stripped = re.sub(rf"^(?:{EN_NUMBER_WORD_PATTERN})\b", "", stripped, flags=re.IGNORECASE)
    if stripped == text.strip():
        stripped = re.sub(f"^[{ZH_NUMERALS}]+", "", stripped)
    return stripped.strip()


def clock_minutes(text: str) -> set[int]:
    """Minutes after midnight a time value can mean ("7点" is 7:00 or 19:00 without a day part)."""
    lower = text.strip().lower()
    match = re.search(r"(\d{1,2}):(\d\d)", lower)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if re.search(r"p\.?m\.?|下午|晚上", lower) and hour < 12:
            hour += 12
        return {hour * 60 + minute}
    match = re.search(rf"(\d{{1,2}}|[{ZH_NUMERALS}]+)\s*(?:点|o'clock|时|a\.?m\.?|p\.?m\.?)", lower)
    if not match:
        return set()
    raw = match.group(1)
    hour = int(raw) if raw.isdigit() else zh_numeral(raw)
    if hour is None or hour > 24:
        return set()
    minute = 0
    tail = lower[match.end() :]
    if tail.startswith("半"):
        minute = 30
    else:
        minutes = re.match(rf"(\d{{1,2}}|[{ZH_NUMERALS}]+)分", tail)
        if minutes:
            minute = int(minutes.group(1)) if minutes.group(1).isdigit() else (zh_numeral(minutes.group(1)) or 0)
    if re.search(r"p\.?m\.?", lower) or _ZH_DAY_LATE.search(lower):
        return {((hour % 12) + 12) * 60 + minute}
    if re.search(r"a\.?m\.?", lower) or _ZH_DAY_EARLY.search(lower):
        return {(hour % 12) * 60 + minute}
    if hour >= 12:
        return {hour * 60 + minute}
    return {hour * 60 + minute, (hour + 12) * 60 + minute}


def format_clock_like(new: str, like: str) -> str:
    """Write a time in the style of the memory's time ("1点半" against "13:00" → "13:30")."""
    if not re.fullmatch(r"\d{1,2}:\d\d", like.strip()):
        return new
    options = clock_minutes(new)
    reference = clock_minutes(like)
    if not options or not reference:
        return new
    anchor = min(reference)
    minutes = min(options, key=lambda m: abs(m - anchor))
    return f"{minutes // 60}:{minutes % 60:02d}" if minutes < 600 else f"{minutes // 60:02d}:{minutes % 60:02d}"
