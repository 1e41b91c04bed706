"""Deterministic text for the suite: memories, search queries and feedback, English and Chinese."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

USERS = 100
ITEMS = ("office software", "laptops", "monitors", "train tickets", "hotel rooms", "team dinners", "books",
         "conference fees", "taxis", "printer paper", "headphones", "cloud storage")
ACTIVITIES = ("swimming", "tennis", "hiking", "chess", "coffee", "jazz", "cycling", "yoga", "sushi", "running",
              "painting", "opera")
PEOPLE = ("Ann", "Bob", "Chen Li", "Dana", "Emil", "Fatima", "Goro", "Hana", "Ivan", "Julia")
CITIES = ("Beijing", "Nanjing", "Berlin", "Lyon", "Osaka", "Toronto", "Lima", "Cairo", "Oslo", "Perth")
CN_THINGS = ("游泳", "咖啡", "爬山", "下棋", "扬州炒饭", "南京烤鸭", "绿茶", "跑步")
CN_ITEMS = ("办公软件", "笔记本电脑", "火车票", "酒店", "会议费")

_MEMORY_TEMPLATES = (
    "The purchase limit for {item} is {n} CNY.",
    "The user likes {activity} on {day}.",
    "{person} lives in {city} since {year}.",
    "The user's meeting with {person} about {item} is in room {n}.",
    "用户喜欢在{cn_day}{cn}",
    "{cn_item}的报销上限是{n}元",
)
_DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "weekends")
_CN_DAYS = ("周一", "周二", "周三", "周四", "周五", "周末")


def user_id(index: int) -> str:
    return f"bench-user-{index % USERS}"


def memory_sentences(count: int, seed: int = 11) -> list[str]:
    """`count` distinct one-sentence memories."""
    rng = random.Random(seed)
    seen: dict[str, None] = {}
    while len(seen) < count:
        template = rng.choice(_MEMORY_TEMPLATES)
        seen.setdefault(template.format(
            item=rng.choice(ITEMS), n=rng.randint(1, 9999), activity=rng.choice(ACTIVITIES),
            day=rng.choice(_DAYS), person=rng.choice(PEOPLE), city=rng.choice(CITIES), year=rng.randint(1990, 2025),
            cn=rng.choice(CN_THINGS), cn_day=rng.choice(_CN_DAYS), cn_item=rng.choice(CN_ITEMS),
        ))
    return list(seen)


def search_queries(count: int, seed: int = 13) -> list[tuple[str, str]]:
    """(user_id, query) pairs, spread over every user."""
    rng = random.Random(seed)
    templates = ("what is the purchase limit for {item}", "does the user like {activity}", "where does {person} live",
                 "{cn_item}报销上限", "用户喜欢{cn}吗")
    return [
        (user_id(i), rng.choice(templates).format(item=rng.choice(ITEMS), activity=rng.choice(ACTIVITIES),
                                                  person=rng.choice(PEOPLE), cn_item=rng.choice(CN_ITEMS),
                                                  cn=rng.choice(CN_THINGS)))
        for i in range(count)
    ]


def feedback_bodies(count: int, seed: int = 17) -> Iterator[dict[str, Any]]:
    """add/feedback bodies: corrections of the preloaded users' memories, and some small talk."""
    rng = random.Random(seed)
    templates = (
        "The purchase limit for {item} is {n} CNY, not {m} CNY.",
        "Actually I don't like {activity}.",
        "{person} lives in {city} now.",
        "我不喜欢{cn}",
        "thanks!",
    )
    for i in range(count):
        content = rng.choice(templates).format(
            item=rng.choice(ITEMS), n=rng.randint(1, 999), m=rng.randint(1000, 1999), activity=rng.choice(ACTIVITIES),
            person=rng.choice(PEOPLE), city=rng.choice(CITIES), cn=rng.choice(CN_THINGS),
        )
        yield {"user_id": user_id(rng.randrange(USERS)), "feedback_content": content}
