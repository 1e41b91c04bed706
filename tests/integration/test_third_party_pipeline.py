"""What a user says about another person never supersedes what is known of the user (over HTTP,
with a real worker and store)."""

from __future__ import annotations

import pytest

from api.client import MemfeedClient
from tests.support.memories import active_values


@pytest.mark.parametrize(
    ("own_facts", "about_someone_else"),
    [
        (["I live in Paris.", "I drive a Honda."], "alice doesn't live in Berlin anymore, alice lives in Rome"),
        (["I live in Paris.", "I drive a Honda."], "Alice lives in Rome now, not Berlin."),
        (["I work at Google."], "My colleague Tom works at Amazon, not Google."),
        (["我住在上海。"], "小王已经不住北京了，他现在住在杭州"),
    ],
)
def test_a_statement_about_someone_else_leaves_the_users_memories(
    client: MemfeedClient, user_id: str, own_facts: list[str], about_someone_else: str
) -> None:
    client.add_message(user_id, "c-own", [{"role": "user", "content": fact} for fact in own_facts], async_mode=False)
    before = active_values(client, user_id)
    assert len(before) == len(own_facts)

    status = client.wait(client.add_feedback(user_id, about_someone_else))

    assert status["status"] == "completed", status
    assert not [c for c in status["changes"] if c["action"] == "update"], status["changes"]
    after = active_values(client, user_id)
    assert all(memory in after for memory in before), after
