"""Informal corrections end to end over HTTP (real Redis, a real Celery worker, Qdrant Edge):
each clause supersedes its own memory, rewritten as that memory's sentence with the new value."""

from __future__ import annotations

from api.client import MemfeedClient
from tests.support.memories import active_values


def test_two_informal_corrections_in_one_message_each_rewrite_their_memory(client: MemfeedClient, user_id: str) -> None:
    client.add_message(user_id, "c-home", [
        {"role": "user", "content": "My rent is $1,500 a month."},
        {"role": "user", "content": "My daughter Ana is 9 years old."},
        {"role": "user", "content": "I live in Porto."},
    ], async_mode=False)
    before = active_values(client, user_id)
    [rent] = [v for v in before if "1,500" in v]
    [age] = [v for v in before if "Ana" in v]
    [city] = [v for v in before if "Porto" in v]

    status = client.wait(client.add_feedback(user_id, "two fixes lol: rent went up to 1,650 and ana's ten now 🎂"))

    assert status["status"] == "completed" and status["outcome"] == "applied", status
    updates = {c["before"]: c["after"] for c in status["changes"] if c["action"] == "update"}
    assert updates == {rent: rent.replace("1,500", "1,650"), age: age.replace("9", "10")}
    values = active_values(client, user_id)
    assert rent not in values and age not in values and city in values
    assert not [c for c in status["changes"] if c["action"] == "add"], "nothing beside the rewritten memories"
    top = client.search("How much is my rent?", user_id)[0]
    assert "1,650" in top["memory_value"]


def test_a_chinese_contrast_split_by_a_comma_rewrites_the_memory(client: MemfeedClient, user_id: str) -> None:
    client.add_message(user_id, "c-gym", [
        {"role": "user", "content": "我每周四晚上去游泳。"},
        {"role": "user", "content": "我住在杭州。"},
    ], async_mode=False)
    before = active_values(client, user_id)
    [swim] = [v for v in before if "游泳" in v]

    status = client.wait(client.add_feedback(user_id, "是周五啦，不是周四😂"))

    assert status["outcome"] == "applied", status
    [change] = status["changes"]
    assert change["action"] == "update" and change["before"] == swim
    assert change["after"] == swim.replace("周四", "周五")
    assert any("杭州" in v for v in active_values(client, user_id))
