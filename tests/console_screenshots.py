"""Screenshots of the console's main pages, for docs/console/ and the README.

    python -m tests.console_screenshots [--out docs/console]

Starts `memfeed up` in a temporary directory (Redis as for the tests: MEMFEED_TEST_REDIS_URL or
database 13 of 127.0.0.1:6379, under a key prefix of its own, deleted afterwards), writes a few
corrections (one held for review, one knowledge-base correction, a batch), signs in with Debian's
chromium through playwright and saves one PNG per page.
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from pathlib import Path

import redis
from playwright.sync_api import Page, sync_playwright

from api.client import MemfeedClient
from tests.integration.conftest import TEST_REDIS_URL, launch_stack, stack_environment, stop_stack

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def seed(client: MemfeedClient, stack_cli) -> dict[str, str]:  # noqa: ANN001 - Stack.cli
    """A small, readable world: a user's preferences, a policy document, corrections of both."""
    kb = client.create_knowledgebase("Finance policy", "Reimbursement")
    client.wait(client.add_knowledgebase_file(kb, [{"name": "policy.md", "content":
        "The policy requires the purchase limit for office software to be 800 CNY."}]))
    client.add_message("li.wei", "0610", [{"role": "user", "content": "我喜欢游泳"}], async_mode=False)
    client.add_message("ana", "c-17", [{"role": "user", "content": "I live in Berlin and I like swimming."},
                                       {"role": "assistant", "content": "Noted: you live in Berlin."}],
                       async_mode=False)
    applied = client.wait(client.add_feedback(
        "fin-mgr", "The purchase limit for office software is 600 CNY, not 800 CNY.", allow_knowledgebase_ids=[kb]))
    client.wait(client.add_feedback("li.wei", "实际上我不喜欢游泳", conversation_id="0610"))
    client.wait(client.add_feedback("ana", "thanks!"))
    stack_cli("project", "review", "console-tour", "--policy", "review_all")
    held = client.wait(client.add_feedback("ana", "Replace 'Berlin' with 'Munich' in my memories.",
                                           conversation_id="c-17"))
    client.add_feedback_batch([{"user_id": f"bulk-{n}", "feedback_content": f"Please remember my locker is {n}."}
                               for n in range(1, 6)] + [{"user_id": "", "feedback_content": "missing user"}])
    return {"kb": kb, "applied": applied["task_id"], "held": held["task_id"],
            "memory": applied["changes"][0]["new_memory_id"]}


def sign_in(page: Page, base_url: str, api_key: str) -> None:
    page.goto(f"{base_url}/console/login")
    page.fill("input[name=api_key]", api_key)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/jobs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "console")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    prefix = f"shots{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="memfeed-shots-") as tmp:
        stack = launch_stack(Path(tmp), stack_environment(Path(tmp), prefix))
        try:
            api_key = stack.create_project("console-tour")
            with MemfeedClient(stack.base_url, api_key) as client:
                world = seed(client, stack.cli)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                sign_in(page, stack.base_url, api_key)
                shots = {
                    "jobs": "/console/jobs",
                    "job": f"/console/jobs/{world['applied']}",
                    "held-job": f"/console/jobs/{world['held']}",
                    "review": "/console/review",
                    "memories": "/console/memories?user_id=li.wei",
                    "versions": f"/console/memories/{world['memory']}",
                    "batches": "/console/batches",
                    "tokens": "/console/tokens",
                    "settings": "/console/settings",
                }
                for name, path in shots.items():
                    page.goto(stack.base_url + path)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                    print(args.out / f"{name}.png")
                browser.close()
        finally:
            stop_stack(stack)
            client_redis = redis.Redis.from_url(TEST_REDIS_URL)
            for key in client_redis.scan_iter(f"{prefix}:*", count=1000):
                client_redis.delete(key)


if __name__ == "__main__":
    main()
