"""The console in a real browser (Debian's chromium through playwright, no browser download) on
the real stack: sign in, a correction's before → after diff, approving and rejecting held
corrections, reverting one, and a second project that sees none of the first's data. Then, over
plain HTTP: the session cookie's flags, and forms refused without their CSRF token."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.client import MemfeedClient

from .conftest import Stack

CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"no {CHROMIUM}: apt-get install chromium (infra/test.sh does, as root)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

REPLACEMENT = "Replace 'swimming' with 'cycling' in my memories."


def _values(client: MemfeedClient, user: str) -> list[str]:
    return sorted(m["memory_value"] for m in client.get_memory(user)["memory_detail_list"])


def _until(client: MemfeedClient, task_id: str, outcome: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (status := client.get_status(task_id))["outcome"] != outcome and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status["outcome"] == outcome, status
    return status


class World:
    """Project A: one applied correction, two held ones; project B: nothing."""

    def __init__(self, stack: Stack) -> None:
        self.key_a, self.key_b = stack.create_project(), stack.create_project()
        self.client = MemfeedClient(stack.base_url, self.key_a)
        self.users = {name: f"{name}-{uuid.uuid4().hex[:6]}" for name in ("applied", "approved", "rejected")}
        for user in self.users.values():
            self.client.add_message(user, "c1", [{"role": "user", "content": "I like swimming."}], async_mode=False)
        self.applied = self.client.wait(self.client.add_feedback(self.users["applied"], REPLACEMENT))["task_id"]
        self.client.post("review/policy", {"policy": "review_all"})
        self.held = {name: self.client.add_feedback(self.users[name], REPLACEMENT) for name in ("approved", "rejected")}
        for task_id in self.held.values():
            assert self.client.wait(task_id)["outcome"] == "held"


@pytest.fixture(scope="module")
def world(stack: Stack) -> Iterator[World]:
    built = World(stack)
    yield built
    built.client.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


def _signed_in(browser: Browser, stack: Stack, api_key: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{stack.base_url}/console/jobs")
    expect(page).to_have_url(re.compile(r"/console/login$"))  # not signed in yet
    page.fill("input[name=api_key]", api_key)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/console/jobs$"))
    return page


@pytest.fixture(scope="module")
def page_a(browser: Browser, stack: Stack, world: World) -> Page:
    return _signed_in(browser, stack, world.key_a)


def test_signs_in_and_shows_a_corrections_diff(page_a: Page, stack: Stack, world: World) -> None:
    page_a.click(f"a[href='/console/jobs/{world.applied}']")
    expect(page_a.locator("h1")).to_contain_text(world.applied)
    change = page_a.locator("li.change").first
    expect(change.locator("del")).to_have_text("swimming")
    expect(change.locator("ins")).to_have_text("cycling")
    expect(page_a.locator("table.stages")).to_contain_text("offline")
    change.locator("a.history").click()
    expect(page_a.locator("ol.versions li")).to_have_count(2)


def test_the_jobs_list_updates_itself(page_a: Page, stack: Stack, world: World) -> None:
    page_a.goto(f"{stack.base_url}/console/jobs?kind=feedback")
    task_id = world.client.add_feedback(world.users["applied"], "thanks!")
    row = page_a.locator("tbody tr", has=page_a.locator(f"a[href='/console/jobs/{task_id}']"))
    expect(row).to_contain_text("ignored", timeout=15_000)  # appeared, then finished, with no reload


def test_approves_and_rejects_held_corrections(page_a: Page, stack: Stack, world: World) -> None:
    page_a.goto(f"{stack.base_url}/console/review")
    approved, rejected = (page_a.locator(f"section.held[data-task='{world.held[n]}']") for n in ("approved", "rejected"))
    expect(approved.locator("ins")).to_have_text("cycling")
    approved.get_by_role("button", name="Approve").click()
    expect(page_a.locator(".notice")).to_contain_text("approved")
    rejected.get_by_role("button", name="Reject").click()
    expect(page_a.locator(".notice")).to_contain_text("rejected")
    expect(page_a.locator("section.held")).to_have_count(0)

    status = _until(world.client, world.held["approved"], "applied")
    assert status["review"]["via"] == "console" and len(status["changes"]) == 1
    assert _values(world.client, world.users["approved"]) == ["The user likes cycling."]
    assert world.client.get_status(world.held["rejected"])["outcome"] == "rejected"
    assert _values(world.client, world.users["rejected"]) == ["The user likes swimming."]


def test_reverts_a_correction(page_a: Page, stack: Stack, world: World) -> None:
    page_a.goto(f"{stack.base_url}/console/jobs/{world.applied}")
    page_a.get_by_role("button", name="Revert this correction").click()
    expect(page_a.locator(".notice")).to_contain_text("Reverting")
    expect(page_a.locator(".meta .o-applied")).to_be_visible(timeout=20_000)  # the revert job's page, reloaded
    assert _values(world.client, world.users["applied"]) == ["The user likes swimming."]


def test_another_project_sees_none_of_its_data(browser: Browser, stack: Stack, world: World) -> None:
    page = _signed_in(browser, stack, world.key_b)
    expect(page.locator("tbody td.empty")).to_have_text("No jobs match.")
    page.goto(f"{stack.base_url}/console/jobs/{world.applied}")
    expect(page.locator(".error")).to_contain_text("No task")
    page.goto(f"{stack.base_url}/console/review")
    expect(page.locator("section.held")).to_have_count(0)
    page.goto(f"{stack.base_url}/console/memories?user_id={world.users['applied']}")
    expect(page.locator("td.empty")).to_have_text("No memories.")
    page.goto(f"{stack.base_url}/console/jobs/{world.held['approved']}")
    expect(page.locator(".error")).to_contain_text("No task")


def _session(stack: Stack, api_key: str) -> tuple[httpx.Client, httpx.Response]:
    http = httpx.Client(base_url=stack.base_url, follow_redirects=False, timeout=30)
    form = http.get("/console/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)
    return http, http.post("/console/login", data={"api_key": api_key, "nonce": nonce})


def test_the_session_cookie_is_signed_httponly_and_strict(stack: Stack, world: World) -> None:
    http, signed_in = _session(stack, world.key_a)
    assert signed_in.status_code == 303
    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith("memfeed_console="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/console"} <= flags, cookie
    assert http.get("/console/jobs").status_code == 200
    forged = httpx.get(f"{stack.base_url}/console/jobs", cookies={"memfeed_console": cookie.split(";")[0][16:-2] + "xx"},
                       follow_redirects=False)
    assert forged.status_code == 303 and forged.headers["location"] == "/console/login"
    answer = http.get("/console/jobs")
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    http.close()


def test_forms_without_the_csrf_token_are_refused(stack: Stack, world: World) -> None:
    client = world.client
    user = f"csrf-{uuid.uuid4().hex[:6]}"
    client.add_message(user, "c1", [{"role": "user", "content": "I like swimming."}], async_mode=False)
    held = client.wait(client.add_feedback(user, REPLACEMENT))["task_id"]
    http, _ = _session(stack, world.key_a)
    for data in ({}, {"csrf": "not-the-token"}):
        refused = http.post(f"/console/jobs/{held}/approve", data=data)
        assert refused.status_code == 403 and "security token" in refused.text
    assert http.post("/console/logout", data={}).status_code == 403
    assert client.get_status(held)["review"]["state"] == "pending"
    csrf = re.search(r'name="csrf" value="([^"]+)"', http.get("/console/review").text).group(1)
    assert http.post(f"/console/jobs/{held}/reject", data={"csrf": csrf}).status_code == 303
    assert client.get_status(held)["outcome"] == "rejected"
    # A sign-in posted from elsewhere carries no nonce cookie (SameSite=Strict): refused.
    stranger = httpx.post(f"{stack.base_url}/console/login", data={"api_key": world.key_a, "nonce": "x"})
    assert stranger.status_code == 403
    assert http.post("/console/logout", data={"csrf": csrf}).status_code == 303
    http.close()


def test_settings_set_the_webhook_showing_its_secret_once_and_the_review_policy(stack: Stack) -> None:
    api_key = stack.create_project()
    http, _ = _session(stack, api_key)
    csrf = re.search(r'name="csrf" value="([^"]+)"', http.get("/console/settings").text).group(1)
    refused = http.post("/console/settings/webhook", data={"csrf": csrf, "url": "http://example.com/hook"})
    assert refused.status_code == 400 and "loopback" in refused.text
    answer = http.post("/console/settings/webhook", data={"csrf": csrf, "url": "https://example.com/hooks/memfeed"})
    secret = re.search(r'id="webhook-secret">(whsec_[^<]+)<', answer.text).group(1)
    later = http.get("/console/settings").text
    assert "https://example.com/hooks/memfeed" in later and secret not in later
    assert http.post("/console/settings/review", data={"csrf": csrf, "policy": "review_uncertain"}).status_code == 303
    with MemfeedClient(stack.base_url, api_key) as client:
        assert client.post("review/policy", {})["policy"] == "review_uncertain"
        assert client.post("webhook/get", {})["url"] == "https://example.com/hooks/memfeed"
        client.post("webhook/delete", {})
    http.close()


def test_the_jobs_list_filters(stack: Stack, world: World) -> None:
    http, _ = _session(stack, world.key_a)
    user = world.users["rejected"]

    def rows(**filters: str) -> list[str]:
        return re.findall(r'href="/console/jobs/([0-9a-f]+)"', http.get("/console/jobs/rows", params=filters).text)

    assert len(rows(user_id=user)) == 2  # its conversation turn and its feedback
    assert len(rows(user_id=user, kind="add_message")) == 1
    assert rows(user_id=user, kind="feedback") == [world.held["rejected"]]
    assert world.held["rejected"] not in rows(user_id=user, outcome="applied")
    assert rows(user_id=user, since="2999-01-01T00:00") == []
    assert len(rows(user_id=user, until="2999-01-01T00:00", since="2000-01-01T00:00")) == 2
    http.close()
