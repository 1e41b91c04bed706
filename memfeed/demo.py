"""`memfeed demo`: the seed scenarios, shown step by step through the HTTP API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from api.client import MemfeedClient
from core.settings import Settings
from memfeed import redis_runtime
from memfeed.running_stacks import RunningStack, running_stacks

console = Console()


@dataclass
class Scenario:
    title: str
    run: Callable[[MemfeedClient, str], bool]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _start_stack(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port, flower_port = _free_port(), _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "memfeed.cli", "up", "--data-dir", str(data_dir), "--port", str(port),
         "--flower-port", str(flower_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        console.print(f"[dim]  {line.rstrip()}[/dim]")
        if "ready" in line:
            return process, f"http://127.0.0.1:{port}"
    raise RuntimeError("the memfeed stack the demo started did not come up")


def _demo_project_key(settings: Settings, data_dir: Path) -> str:
    from core.control import ControlPlane

    runtime = redis_runtime.resolve(settings.redis_url, data_dir, start_private=False)
    control = ControlPlane.from_settings(settings.model_copy(update={"redis_url": runtime.url}))
    project, key = control.projects.create(f"demo-{uuid.uuid4().hex[:8]}")
    console.print(f"demo project [bold]{project.name}[/bold] created")
    return key


def _show_memories(title: str, memories: list[dict]) -> None:
    table = Table(title=title, show_lines=False)
    table.add_column("memory")
    table.add_column("status")
    table.add_column("relativity", justify="right")
    for memory in memories:
        table.add_row(memory["memory_value"], memory["status"], f"{memory['relativity']:.3f}")
    if not memories:
        table.add_row("(none)", "", "")
    console.print(table)


def _show_job(status: dict) -> None:
    console.print(
        f"  job [bold]{status['task_id']}[/bold]: status={status['status']} outcome={status['outcome']} "
        f"update_type={status['update_type']}  ({status['reason']})"
    )
    for name, stage in status["stages"].items():
        timing = f"{stage['duration_ms']:.1f} ms" if stage.get("duration_ms") is not None else ""
        console.print(f"    {name:<9} {stage['state']:<8} {timing}")
    for change in status["changes"]:
        console.print(f"    [red]- {change['before']}[/red]" if change["before"] else "    (new memory)")
        console.print(f"    [green]+ {change['after']}[/green]")


def _feedback(client: MemfeedClient, user_id: str, content: str, **fields) -> dict:
    console.print(f"\n  feedback from {user_id}: [bold]{content}[/bold]")
    status = client.wait(client.add_feedback(user_id, content, **fields))
    _show_job(status)
    return status


def kb_limit(client: MemfeedClient, user_id: str) -> bool:
    kb_id = client.create_knowledgebase("Finance policy", "Reimbursement rules")
    client.wait(client.add_knowledgebase_file(kb_id, [{
        "name": "software-policy.md",
        "content": "The policy requires the purchase limit for office software to be 800 CNY and applies to "
                   "document editing and spreadsheet tools.\n\nTravel reimbursement requires a receipt for every "
                   "expense over 100 CNY.",
    }]))
    client.add_message(user_id, "c-fin", [
        {"role": "user", "content": "What is the purchase limit for office software?"},
        {"role": "assistant", "content": "The purchase limit for office software is 800 CNY."},
    ], async_mode=False)
    query = "Help me check the reimbursement limit for software purchases."
    _show_memories("before", client.search(query, user_id, knowledgebase_ids=[kb_id], memory_limit_number=3))
    status = _feedback(client, user_id, "The purchase limit for office software is 600 CNY, not 800 CNY.",
                       conversation_id="c-fin", allow_knowledgebase_ids=[kb_id])
    after = client.search(query, user_id, knowledgebase_ids=[kb_id], memory_limit_number=3)
    _show_memories("after", after)
    return status["outcome"] == "applied" and bool(after) and "600" in after[0]["memory_value"]


def zh_swim(client: MemfeedClient, user_id: str) -> bool:
    client.add_message(user_id, "0610", [{"role": "user", "content": "我喜欢游泳"}], async_mode=False)
    client.add_message(user_id, "0610", [
        {"role": "user", "content": "我下周要去海边，帮我规划行程吧。"},
        {"role": "assistant", "content": "好的，推荐参加一些水上项目，也可以浮潜、游泳和看鲸鱼。"},
    ], async_mode=False)
    _show_memories("before", client.search("用户喜欢游泳吗？", user_id, memory_limit_number=3))
    status = _feedback(client, user_id, "实际上我不喜欢游泳", conversation_id="0610")
    after = client.search("用户喜欢游泳吗？", user_id, memory_limit_number=3)
    _show_memories("after", after)
    return status["outcome"] == "applied" and bool(after) and "不喜欢游泳" in after[0]["memory_value"]


def zh_keyword(client: MemfeedClient, user_id: str) -> bool:
    client.add_message(user_id, "c-food", [
        {"role": "user", "content": "我喜欢吃扬州炒饭。"},
        {"role": "user", "content": "我住在南京。"},
    ], async_mode=False)
    _show_memories("before", client.get_memory(user_id)["memory_detail_list"])
    status = _feedback(client, user_id, "将'扬州炒饭'统一替换为'南京烤鸭'")
    after = client.get_memory(user_id)["memory_detail_list"]
    _show_memories("after", after)
    values = " ".join(m["memory_value"] for m in after)
    return status["update_type"] == "keyword_replace" and "南京烤鸭" in values and "扬州炒饭" not in values


def thanks(client: MemfeedClient, user_id: str) -> bool:
    status = _feedback(client, user_id, "thanks!")
    return status["outcome"] == "ignored"


SCENARIOS = [
    Scenario("A knowledge-base limit corrected (semantic update)", kb_limit),
    Scenario("实际上我不喜欢游泳 (negated preference)", zh_swim),
    Scenario("将'扬州炒饭'统一替换为'南京烤鸭' (keyword replacement)", zh_keyword),
    Scenario("thanks! (not a correction)", thanks),
]


def _locate(settings: Settings, url: str | None) -> tuple[str, Settings, Path | None] | int:
    """Where the demo runs: the URL given, the configured one if it answers, else the one
    `memfeed up` found running; (url, settings to reach its Redis, None), or a data directory for a
    stack of the demo's own (url empty), or an exit status when it cannot tell which to use."""
    stacks = running_stacks(settings)
    if url is not None:
        # Its demo project goes to the Redis that stack uses, when the stack is one found here.
        same = [stack for stack in stacks if stack.base_url == url.rstrip("/")]
        return url, _reaching(same[0], settings) if same else settings, None
    configured = f"http://{settings.api_host}:{settings.api_port}"
    if _healthy(configured):
        same = [stack for stack in stacks if stack.base_url == configured]
        return configured, _reaching(same[0], settings) if same else settings, None
    answering = [stack for stack in stacks if _healthy(stack.base_url)]
    if len(answering) == 1:
        [stack] = answering
        console.print(f"no memfeed at {configured}; using the `memfeed up` (pid {stack.pid}) at {stack.base_url}")
        return stack.base_url, _reaching(stack, settings), None
    if len(answering) > 1:
        console.print(f"no memfeed at {configured}, and several run here; choose one with --url:")
        for stack in answering:
            console.print(f"  --url {stack.base_url}   (pid {stack.pid}, data {stack.data_dir})")
        return 2
    return "", settings, Path(tempfile.mkdtemp(prefix="memfeed-demo-"))


def _reaching(stack: RunningStack, settings: Settings) -> Settings:
    """Settings that reach the Redis (and key prefix) of a stack found running."""
    update: dict[str, object] = {"data_dir": stack.data_dir}
    if stack.redis_url:
        update["redis_url"] = stack.redis_url
    elif not settings.redis_url:
        update["redis_url"] = redis_runtime.recorded_url(stack.data_dir)
    if stack.redis_prefix:
        update["redis_prefix"] = stack.redis_prefix
    return settings.model_copy(update=update)


def run_demo(settings: Settings, url: str | None, api_key: str | None) -> int:
    located = _locate(settings, url)
    if isinstance(located, int):
        return located
    base_url, settings, own_data_dir = located
    data_dir = settings.data_dir
    stack: subprocess.Popen | None = None
    if own_data_dir is not None:
        data_dir = own_data_dir
        console.print(
            f"no memfeed runs here: the demo starts its own (data in {data_dir}) and stops it when it ends; "
            "to use yours, start it first or pass --url"
        )
        stack, base_url = _start_stack(data_dir)
    console.print(f"demo: running against [bold]{base_url}[/bold]")
    try:
        key = api_key or os.environ.get("MEMFEED_API_KEY") or _demo_project_key(settings, data_dir)
        results = []
        with MemfeedClient(base_url, key) as client:
            for scenario in SCENARIOS:
                console.rule(scenario.title)
                passed = scenario.run(client, f"demo-user-{uuid.uuid4().hex[:8]}")
                results.append(passed)
                console.print("[green]as expected[/green]" if passed else "[red]not as expected[/red]")
        console.rule()
        console.print(f"demo: {sum(results)}/{len(results)} scenarios as expected (at {base_url})")
        return 0 if all(results) else 1
    finally:
        if stack is not None:
            console.print(f"demo: stopping the stack it started at {base_url}")
            stack.terminate()
            stack.wait(timeout=60)
