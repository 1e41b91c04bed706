"""Health, readiness and metrics of a running stack."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.client import MemfeedAPIError, MemfeedClient

from .conftest import Stack


def _metrics(stack: Stack) -> dict[str, list]:
    text = httpx.get(f"{stack.base_url}/metrics", timeout=10).text
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def test_health_and_readiness(stack: Stack) -> None:
    assert httpx.get(f"{stack.base_url}/healthz", timeout=10).json() == {"status": "ok"}
    ready = httpx.get(f"{stack.base_url}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "redis": "ok", "workers": "ok"}


def test_metrics_count_jobs_stages_searches_and_rejections(stack: Stack, client: MemfeedClient, user_id: str) -> None:
    client.wait(client.add_feedback(user_id, "I moved to Munich."))
    client.wait(client.add_feedback(user_id, "thanks!"))
    client.search("where does the user live", user_id)
    tight = stack.cli("project", "create", f"metrics-{user_id}", "--max-request-tokens", "3")
    with MemfeedClient(stack.base_url, tight.stdout.strip().splitlines()[-1]) as refused:
        try:
            refused.add_feedback(user_id, "My daughter is nine years old, not seven.")
        except Exception:  # noqa: BLE001 - the 40305 is what this test counts
            pass

    families = _metrics(stack)

    jobs = {(s.labels["kind"], s.labels["outcome"]): s.value for s in families["memfeed_jobs"]
            if s.name == "memfeed_jobs_total"}
    assert jobs[("feedback", "applied")] >= 1 and jobs[("feedback", "ignored")] >= 1
    stage_counts = {s.labels["stage"]: s.value for s in families["memfeed_stage_duration_seconds"]
                    if s.name == "memfeed_stage_duration_seconds_count"}
    assert {"validate", "classify", "lookup", "write"} <= set(stage_counts)
    searches = [s for s in families["memfeed_search_duration_seconds"] if s.name.endswith("_count")]
    assert searches and searches[0].value >= 1
    rejections = {s.labels["code"]: s.value for s in families["memfeed_token_window_rejections"]
                  if s.name == "memfeed_token_window_rejections_total"}
    assert rejections["40305"] >= 1
    depths = {s.labels["queue"] for s in families["memfeed_queue_depth"]}
    assert {"feedback", "reads", "ingest"} <= depths


def test_a_search_refused_by_the_token_window_is_counted(stack: Stack, user_id: str) -> None:
    def refused_so_far() -> float:
        return sum(s.value for s in _metrics(stack).get("memfeed_token_window_rejections", [])
                   if s.name == "memfeed_token_window_rejections_total" and s.labels["code"] == "40305")

    before = refused_so_far()
    tight = stack.cli("project", "create", f"search-metrics-{user_id}", "--max-request-tokens", "3")
    with MemfeedClient(stack.base_url, tight.stdout.strip().splitlines()[-1]) as refused:
        with pytest.raises(MemfeedAPIError) as error:
            refused.search("which city does the user live in these days", user_id)
    assert error.value.code == 40305
    assert refused_so_far() == before + 1


def test_flower_asks_for_credentials_and_shows_each_stage_as_a_task(
    stack: Stack, client: MemfeedClient, user_id: str
) -> None:
    """Flower as `memfeed up` starts it: its API answers only with the credentials up printed."""
    import os
    import stat
    import subprocess
    import time
    from unittest.mock import patch

    from core.settings import Settings
    from memfeed import stack as deployment

    from .conftest import TEST_REDIS_URL, free_port

    port = free_port()
    with patch.dict(os.environ, {**stack.env, "FLOWER_UNAUTHENTICATED_API": "true"}):
        settings = Settings(flower_port=port)
        [managed] = [p for p in deployment.processes(settings, TEST_REDIS_URL) if p.name == "flower"]
    user, password = deployment.flower_credentials(settings)
    assert user == "admin" and len(password) >= 20
    password_file = settings.data_dir / deployment.FLOWER_PASSWORD_FILE
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert password not in " ".join(managed.command), "no process listing shows the password"
    flower = subprocess.Popen(managed.command, env=managed.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    auth = (user, password)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthcheck", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        time.sleep(1.0)  # Flower subscribes to task events after it is up
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/api/tasks", timeout=5).status_code == 401
        assert httpx.get(f"{base}/api/tasks", auth=(user, "wrong"), timeout=5).status_code == 401
        assert httpx.post(f"{base}/api/task/async-apply/memfeed.ingest.delete_memories", json={"args": []},
                          timeout=5).status_code == 401
        assert httpx.post(f"{base}/api/worker/shutdown/anyone", timeout=5).status_code == 401
        client.add_message(user_id, "c-home", [{"role": "user", "content": "I live in Zwickau."}], async_mode=False)
        done = client.wait(client.add_feedback(user_id, "Actually I moved to Munich, not Zwickau."))
        assert done["outcome"] == "applied"
        names: set[str] = set()
        while time.monotonic() < deadline and not {"validate", "classify", "lookup", "write"} <= names:
            tasks = httpx.get(f"{base}/api/tasks", auth=auth, timeout=5).json()
            stages = {t["name"].rsplit(".", 1)[-1]: t for t in tasks.values() if t.get("name", "").startswith("memfeed.feedback.")}
            names = set(stages)
            time.sleep(0.5)
        assert {"validate", "classify", "lookup", "write"} <= names
        # Even to whoever holds Flower's credentials, a stage shows the job's id, never the
        # feedback or a memory's text: each stage reads what it needs from the job record.
        shown = " ".join(f"{t.get('args')} {t.get('kwargs')} {t.get('result')}" for t in stages.values())
        assert done["task_id"] in shown
        assert "Munich" not in shown and "Zwickau" not in shown
    finally:
        flower.terminate()
        flower.wait(timeout=30)
