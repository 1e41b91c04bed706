"""/docs (Swagger UI) and /redoc render the API in a real headless browser with no network: every
request that does not go to 127.0.0.1 is blocked, and none is even attempted.

Needs Debian's chromium at /usr/bin/chromium (infra/test.sh installs it when run as root); the
playwright package only drives it (no `playwright install`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from .conftest import Stack

CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(f"no {CHROMIUM}: apt-get install chromium (infra/test.sh does, as root)", allow_module_level=True)

from playwright.sync_api import Browser, Page, Route, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context()
    blocked: list[str] = []

    def only_this_host(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_host)
    page = context.new_page()
    yield page, blocked
    context.close()


def _operation_count(stack: Stack) -> int:
    paths = httpx.get(f"{stack.base_url}/openapi.json", timeout=10).json()["paths"]
    return sum(len(operations) for operations in paths.values())


def test_swagger_ui_renders_every_operation_offline(stack: Stack, offline_page: tuple[Page, list[str]]) -> None:
    page, blocked = offline_page
    page.goto(f"{stack.base_url}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() == _operation_count(stack)
    assert page.locator(".opblock-summary-path", has_text="/api/openmem/v1/add/feedback").count() >= 1
    assert page.locator("button.authorize").first.is_visible()
    page.locator("button.authorize").first.click()
    assert page.get_by_text("MemOSToken").first.is_visible()
    assert blocked == [], blocked


def test_redoc_renders_offline(stack: Stack, offline_page: tuple[Page, list[str]]) -> None:
    page, blocked = offline_page
    page.goto(f"{stack.base_url}/redoc")
    page.wait_for_selector("[data-section-id^='operation/']", timeout=30_000)
    sections = page.locator("[data-section-id^='operation/']").evaluate_all(
        "nodes => nodes.map(node => node.getAttribute('data-section-id'))"
    )
    assert len(set(sections)) == _operation_count(stack)
    assert page.get_by_text("MemOSToken").count() >= 1
    assert blocked == [], blocked


def test_swagger_ui_authorizes_with_a_memos_token_and_calls_the_api(
    stack: Stack, api_key: str, offline_page: tuple[Page, list[str]]
) -> None:
    page, blocked = offline_page
    page.goto(f"{stack.base_url}/docs")
    page.locator("button.authorize").first.click()
    scheme = page.locator(".auth-container", has_text="MemOSToken")
    scheme.locator("input").fill(f"Token {api_key}")
    scheme.locator("button.authorize").click()
    page.locator(".dialog-ux button.btn-done").first.click()

    operation = page.locator(".opblock", has_text="/api/openmem/v1/get/status").first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("textarea.body-param__text").fill('{"task_id": "no-such-task"}')
    operation.get_by_role("button", name="Execute").click()

    response = operation.locator(".live-responses-table tr.response .response-col_status").first
    response.wait_for(timeout=30_000)
    assert response.inner_text().strip().startswith("404")  # authorized: the task is unknown, not the key
    assert "40400" in operation.locator(".live-responses-table .microlight").first.inner_text()
    assert blocked == [], blocked
