"""The console's pieces that need no stack: its secret, the diff, the review policy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from api.console.diff import diff
from api.console.session import ConsoleSecretError, console_secret
from core.control.review import holds
from core.control.webhooks import WebhookURLError, check_url, signature
from core.settings import Settings


def test_production_refuses_to_start_without_a_secret_of_its_own(tmp_path: Path) -> None:
    with pytest.raises(ConsoleSecretError, match="MEMFEED_CONSOLE_SECRET"):
        console_secret(Settings(environment="production", data_dir=tmp_path))
    with pytest.raises(ConsoleSecretError, match="is not set"):
        console_secret(Settings(environment="production", data_dir=tmp_path, console_secret=SecretStr("")))
    with pytest.raises(ConsoleSecretError, match="at least 32"):
        console_secret(Settings(environment="production", data_dir=tmp_path, console_secret=SecretStr("short")))
    assert console_secret(Settings(environment="production", console_secret=SecretStr("s" * 40))) == "s" * 40
    assert not (tmp_path / "console-secret").exists()


def test_development_generates_one_secret_and_keeps_it_private(tmp_path: Path) -> None:
    first = console_secret(Settings(data_dir=tmp_path))
    assert len(first) >= 32 and console_secret(Settings(data_dir=tmp_path)) == first
    assert (tmp_path / "console-secret").stat().st_mode & 0o777 == 0o600


def test_latin_text_is_diffed_by_word_and_cjk_by_character() -> None:
    assert [(s.kind, s.text) for s in diff("The user lives in Berlin.", "The user lives in Munich.")] == [
        ("same", "The user lives in "), ("removed", "Berlin"), ("added", "Munich"), ("same", "."),
    ]
    assert [(s.kind, s.text) for s in diff("用户喜欢游泳。", "用户不喜欢游泳。")] == [
        ("same", "用户"), ("added", "不"), ("same", "喜欢游泳。"),
    ]
    assert [(s.kind, s.text) for s in diff(None, "New fact.")] == [("added", "New fact.")]


def test_review_policies() -> None:
    assert not holds(None, 0.1, 0.7) and not holds("apply", 0.1, 0.7)
    assert holds("review_uncertain", 0.55, 0.7) and not holds("review_uncertain", 0.7, 0.7)
    assert holds("review_all", 0.99, 0.7)


def test_webhook_urls_and_the_standard_webhooks_signature() -> None:
    assert check_url("https://example.com/hook") == "https://example.com/hook"
    assert check_url("http://127.0.0.1:9000/h") and check_url("http://[::1]/h") and check_url("http://localhost/h")
    for url in ("http://example.com/h", "ftp://example.com", "example.com", "http://10.0.0.1/h"):
        with pytest.raises(WebhookURLError):
            check_url(url)
    # The example of the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_memfeed_up_refuses_production_without_a_console_secret(tmp_path: Path) -> None:
    environment = {**os.environ, "MEMFEED_ENVIRONMENT": "production", "MEMFEED_DATA_DIR": str(tmp_path)}
    environment.pop("MEMFEED_CONSOLE_SECRET", None)
    result = subprocess.run([sys.executable, "-m", "memfeed.cli", "up", "--no-flower"], env=environment,
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2 and "MEMFEED_CONSOLE_SECRET is not set" in result.stderr
