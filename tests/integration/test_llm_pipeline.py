"""memfeed with MEMFEED_ANALYZER=llm, end to end over HTTP: the worker's openai client talks to a
scripted OpenAI-compatible server; Redis, the Celery worker and the store are real."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from api.client import MemfeedClient
from core.control.projects import ProjectRegistry
from core.token_windows import TokenWindows
from tests.support.scripted_llm import Reply, ScriptedLLM

from .conftest import Stack, launch_stack, stack_environment, stop_stack


def sensible_model(judgement: str, data: dict[str, Any]) -> Any:
    """A stand-in model that answers every judgement plausibly for the sentences used here."""
    if judgement == "validity":
        return {"valid": "thank" not in data["feedback"].lower(), "reason": "scripted"}
    if judgement == "classify":
        city = re.search(r"moved to (\w+)", data["feedback"])
        return {"update_type": "semantic_update", "statements": [{
            "text": f"The user lives in {city[1] if city else 'Paris'}.", "old_values": [], "new_values": []}]}
    if judgement == "conflicts":
        # A hedged feedback ("I think …") makes the model unsure of what it supersedes.
        sure = 0.35 if "i think" in data["feedback"].lower() else 0.9
        return {"decisions": [
            {"memory_id": c["id"], "supersede": "lives in" in c["memory"], "reason": "same attribute",
             "corrected_value": data["statement"], "confidence": sure} for c in data["candidates"]]}
    if judgement == "extract":
        match = re.match(r"I live in (\w+)", data["text"])
        return {"memories": [f"The user lives in {match[1]}."] if match else []}
    raise AssertionError(judgement)


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLM]:
    with ScriptedLLM(sensible_model) as server:
        yield server


@pytest.fixture(scope="module")
def llm_stack(llm: ScriptedLLM, redis_prefix: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("memfeed-llm")
    env = stack_environment(data_dir, prefix=f"{redis_prefix}:llm")
    env.update({
        "MEMFEED_ANALYZER": "llm", "MEMFEED_LLM_BASE_URL": llm.base_url, "MEMFEED_LLM_API_KEY": "scripted",
        "MEMFEED_LLM_MODEL": "scripted-model", "MEMFEED_LLM_TIMEOUT_SECONDS": "2", "MEMFEED_LLM_MAX_ATTEMPTS": "2",
        "MEMFEED_LLM_BACKOFF_SECONDS": "0.05",
    })
    running = launch_stack(data_dir, env)
    yield running
    stop_stack(running)


def _values(client: MemfeedClient, user_id: str) -> list[str]:
    return sorted(m["memory_value"] for m in client.get_memory(user_id)["memory_detail_list"])


def test_llm_decisions_are_applied_and_their_usage_recorded(
    llm_stack: Stack, redis_client: redis.Redis, user_id: str
) -> None:
    key = llm_stack.create_project()
    with MemfeedClient(llm_stack.base_url, key) as client:
        stored = client.add_message(user_id, "c1", [{"role": "user", "content": "I live in Berlin."}], async_mode=False)
        assert [m["memory_value"] for m in stored["memories"]] == ["The user lives in Berlin."]

        status = client.wait(client.add_feedback(user_id, "I moved to Munich."))

        assert status["status"] == "completed" and status["outcome"] == "applied"
        assert [(c["before"], c["after"]) for c in status["changes"]] == [
            ("The user lives in Berlin.", "The user lives in Munich.")]
        for stage in ("validate", "classify", "lookup"):
            record = status["stages"][stage]
            assert record["analyzer"] == "llm"
            [judgement] = record["detail"]["judgements"]
            assert judgement["decided_by"] == "llm" and judgement["prompt_tokens"] == 120
        assert _values(client, user_id) == ["The user lives in Munich."]

    prefix = llm_stack.env["MEMFEED_REDIS_PREFIX"]
    project = ProjectRegistry(redis_client, prefix).authenticate(key)
    assert project is not None
    # The LLM's reported usage (150 per call, 4 calls) plus the two requests' own tokens.
    used = TokenWindows(redis_client, prefix).used(project.id)
    assert 4 * 150 < used < 4 * 150 + 40


def test_an_llm_outage_falls_back_and_the_job_completes(llm_stack: Stack, llm: ScriptedLLM, user_id: str) -> None:
    # A new user has no memories, so the job asks for validity and classify only (failures queued
    # for a call it never makes would meet the next test's).
    for judgement in ("validity", "classify"):
        llm.queue(judgement, *[Reply(status=500)] * 2)
    with MemfeedClient(llm_stack.base_url, llm_stack.create_project()) as client:
        status = client.wait(client.add_feedback(user_id, "Please remember that I'm allergic to shellfish."))

    assert status["status"] == "completed" and status["outcome"] == "applied"
    for stage in ("validate", "classify"):
        assert status["stages"][stage]["analyzer"] == "offline"
        [judgement] = status["stages"][stage]["detail"]["judgements"]
        assert judgement["attempts"] == 2 and "HTTP 500" in judgement["fallback_reason"]
    assert any("shellfish" in c["after"] for c in status["changes"])


def test_a_spent_token_window_makes_stages_wait_never_fail(llm_stack: Stack, user_id: str) -> None:
    name = f"slow-{uuid.uuid4().hex[:8]}"
    # Each LLM call reserves 1,000 to 1,200 tokens and settles at 150: with 1,250 per 2 s, the
    # classify call has to wait until the validity call has left the window. (A new user has no
    # memories, so there is no conflicts call.)
    created = llm_stack.cli("project", "create", name, "--window-tokens", "1250", "--window-seconds", "2",
                            "--max-request-tokens", "1250")
    assert created.returncode == 0, created.stderr
    with MemfeedClient(llm_stack.base_url, created.stdout.strip().splitlines()[-1]) as client:
        started = time.monotonic()
        status = client.wait(client.add_feedback(user_id, "I moved to Lisbon."), timeout=120)
        elapsed = time.monotonic() - started

    assert status["status"] == "completed" and status["outcome"] == "applied"
    assert all(s["analyzer"] == "llm" for n, s in status["stages"].items() if n != "write")
    assert elapsed > 2.0, "the classify call waited for the window"
    # The classify stage waited in the analysis worker, which runs it.
    assert "Retry in" in llm_stack.logs("analysis-worker")


def test_the_models_confidence_is_recorded_and_an_unsure_correction_waits_for_review(
    llm_stack: Stack, user_id: str
) -> None:
    key = llm_stack.create_project()
    with MemfeedClient(llm_stack.base_url, key) as client:
        client.add_message(user_id, "c1", [{"role": "user", "content": "I live in Berlin."}], async_mode=False)
        sure = client.wait(client.add_feedback(user_id, "I moved to Munich."))
        assert sure["outcome"] == "applied" and sure["confidence"] == 0.9

        client.post("review/policy", {"policy": "review_uncertain"})
        unsure = client.wait(client.add_feedback(user_id, "I think I moved to Lyon."))

        assert unsure["confidence"] == 0.35
        assert unsure["status"] == "completed" and unsure["outcome"] == "held", unsure
        assert _values(client, user_id) == ["The user lives in Munich."]
