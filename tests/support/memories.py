"""Reading a user's memories back through the API, for end-to-end tests."""

from __future__ import annotations

from api.client import MemfeedClient


def active_values(client: MemfeedClient, user_id: str) -> list[str]:
    """The text of every active memory of a user (get/memory, one page of up to 200)."""
    return [m["memory_value"] for m in client.get_memory(user_id, size=200)["memory_detail_list"]]
