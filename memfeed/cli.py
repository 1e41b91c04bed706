"""The memfeed command: up, project create|limits, demo, eval, backfill, reindex."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.settings import Settings, get_settings
from memfeed import redis_runtime

if TYPE_CHECKING:
    from core.control import ControlPlane
    from memfeed.data_dir_lock import DataDirLock

app = typer.Typer(help="memfeed: corrects an AI application's memories from users' feedback.", no_args_is_help=True)
project_app = typer.Typer(help="Projects (tenants) and their API keys.", no_args_is_help=True)
app.add_typer(project_app, name="project")


def _configure(data_dir: Path | None = None, host: str | None = None, port: int | None = None,
               flower_port: int | None = None) -> Settings:
    """Command-line options override the environment, for this process and its children."""
    overrides = {
        "MEMFEED_DATA_DIR": str(data_dir.resolve()) if data_dir else None,
        "MEMFEED_API_HOST": host,
        "MEMFEED_API_PORT": str(port) if port else None,
        "MEMFEED_FLOWER_PORT": str(flower_port) if flower_port else None,
    }
    for name, value in overrides.items():
        if value is not None:
            os.environ[name] = value
    get_settings.cache_clear()
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def _use_redis(settings: Settings, start_private: bool) -> redis_runtime.RedisRuntime:
    try:
        runtime = redis_runtime.resolve(settings.redis_url, settings.data_dir, start_private=start_private)
    except redis_runtime.RedisUnavailableError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    os.environ["MEMFEED_REDIS_URL"] = runtime.url
    get_settings.cache_clear()
    return runtime


@app.command()
def up(
    host: Annotated[str | None, typer.Option(help="Address the API listens on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port of the API.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Embedded store, private Redis and logs.")] = None,
    flower_port: Annotated[int | None, typer.Option(help="Port of the Flower dashboard.")] = None,
    flower: Annotated[bool, typer.Option(help="Start Flower.")] = True,
) -> None:
    """Run the API, one worker and Flower until interrupted."""
    from memfeed import stack
    from memfeed.supervisor import Supervisor

    settings = _configure(data_dir, host, port, flower_port)
    # Released by the kernel when this process ends, however it ends.
    data_dir_lock = _hold_data_dir(settings)
    _refuse_a_store_of_another_embedder(settings)
    _refuse_a_console_without_its_secret(settings)
    runtime = _use_redis(settings, start_private=True)
    settings = get_settings()
    supervisor = Supervisor(stack.processes(settings, runtime.url, with_flower=flower))

    def _stop(*_: object) -> None:
        raise KeyboardInterrupt

    # Explicitly, since a shell starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    base_url = f"http://{settings.api_host}:{settings.api_port}"
    try:
        redis_runtime.record_runtime(settings.data_dir, runtime.url)
        if runtime.process:
            typer.echo(f"redis: private redis-server (append-only) at {runtime.url}, data in {runtime.log_path.parent}")
        else:
            typer.echo(f"redis: {runtime.url}")
        supervisor.start_all()
        stack.wait_until_ready(base_url, settings)
        typer.echo(f"api:    {base_url}/api/openmem/v1  (health: {base_url}/healthz)")
        if flower:
            user, password = stack.flower_credentials(settings)
            typer.echo(f"flower: http://{settings.api_host}:{settings.flower_port}  (user {user}, password {password})")
        typer.echo(f"data:   {settings.data_dir.resolve()}  (logs in {settings.data_dir.resolve() / 'logs'})")
        typer.echo("memfeed is ready; Ctrl-C stops it.")
        supervisor.watch()
    except KeyboardInterrupt:
        pass
    except TimeoutError as exc:
        typer.echo(f"error: {exc}; see the logs in {settings.data_dir / 'logs'}", err=True)
        raise typer.Exit(1) from exc
    finally:
        typer.echo("memfeed: stopping", err=True)
        supervisor.stop()
        redis_runtime.clear_runtime(settings.data_dir)
        runtime.stop()
        data_dir_lock.release()


def _hold_data_dir(settings: Settings) -> DataDirLock:
    """Before anything else: the data directory is this `memfeed up`'s alone (its store admits one
    process, and runtime.json and the logs are one stack's)."""
    from memfeed.data_dir_lock import DataDirInUseError, DataDirLock

    lock = DataDirLock(settings.data_dir)
    try:
        lock.acquire()
    except DataDirInUseError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    return lock


def _refuse_a_console_without_its_secret(settings: Settings) -> None:
    """Before any process starts: in production the API would refuse to sign console sessions."""
    from api.console.session import ConsoleSecretError, console_secret

    try:
        console_secret(settings)
    except ConsoleSecretError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _refuse_a_store_of_another_embedder(settings: Settings) -> None:
    """Before any process starts: an embedded store written by another embedder is not opened."""
    if settings.vector_store != "embedded":
        return  # the worker checks the collection when it opens it
    from pipeline.embedding import EmbeddingError, embedder_identity
    from pipeline.store.base import EmbedderMismatchError
    from pipeline.store.edge import check_shard_embedder, recorded_embedder

    try:
        # Only a store that exists needs the configured embedder's identity (which may mean loading a model).
        if recorded_embedder(settings.store_path()) is not None:
            check_shard_embedder(settings.store_path(), embedder_identity(settings.embedder_config()))
    except (EmbedderMismatchError, EmbeddingError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


WindowTokensOption = Annotated[int | None, typer.Option(min=1, help="Tokens per window (default: MEMFEED_WINDOW_TOKENS).")]
WindowSecondsOption = Annotated[float | None, typer.Option(min=0.001, help="Window length in seconds.")]
MaxRequestOption = Annotated[int | None, typer.Option(min=1, help="Largest single request, in tokens.")]
DataDirOption = Annotated[Path | None, typer.Option(help="As given to `memfeed up`.")]


@project_app.command("create")
def project_create(
    name: Annotated[str, typer.Argument(help="A unique project name.")],
    window_tokens: WindowTokensOption = None,
    window_seconds: WindowSecondsOption = None,
    max_request_tokens: MaxRequestOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create a project; its new API key is the last line printed."""
    from core.control.projects import ProjectExistsError

    with _control_plane(data_dir) as control:
        try:
            project, api_key = control.projects.create(name)
        except ProjectExistsError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
        project = control.projects.set_limits(project.id, window_tokens, window_seconds, max_request_tokens)
        _echo_limits(project)
        typer.echo(f"project {project.name} created (id {project.id}); its API key, shown only now:")
        typer.echo(api_key)


@project_app.command("limits")
def project_limits(
    name: Annotated[str, typer.Argument(help="The project's name.")],
    window_tokens: WindowTokensOption = None,
    window_seconds: WindowSecondsOption = None,
    max_request_tokens: MaxRequestOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Show a project's token-window limits, changing those given."""
    with _control_plane(data_dir) as control:
        project = control.projects.by_name(name)
        if project is None:
            typer.echo(f"error: no project named {name!r}", err=True)
            raise typer.Exit(1)
        _echo_limits(control.projects.set_limits(project.id, window_tokens, window_seconds, max_request_tokens))


def _echo_limits(project) -> None:  # noqa: ANN001
    from core.token_windows import window_limits

    limits = window_limits(project, get_settings())
    typer.echo(
        f"limits of {project.name}: {limits.window_tokens} tokens per {limits.window_seconds:g} s, "
        f"at most {limits.max_request_tokens} per request"
    )


@project_app.command("review")
def project_review(
    name: Annotated[str, typer.Argument(help="The project's name.")],
    policy: Annotated[str | None, typer.Option(
        help="apply (write every correction), review_uncertain (hold those under the confidence threshold) "
             "or review_all (hold every correction)")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Show a project's review policy, changing it if given."""
    from core.control.review import ReviewPolicy

    with _control_plane(data_dir) as control:
        project = _project_named(control, name)
        if policy is not None:
            try:
                chosen = ReviewPolicy(policy)
            except ValueError as exc:
                typer.echo(f"error: unknown policy {policy!r}: apply, review_uncertain or review_all", err=True)
                raise typer.Exit(2) from exc
            project = control.projects.set_field(project.id, "review_policy", chosen.value)
        threshold = get_settings().review_confidence_threshold
        typer.echo(f"review policy of {project.name}: {project.review_policy or 'apply'} "
                   f"(confidence threshold {threshold:g}, MEMFEED_REVIEW_CONFIDENCE_THRESHOLD)")


@project_app.command("webhook")
def project_webhook(
    name: Annotated[str, typer.Argument(help="The project's name.")],
    url: Annotated[str | None, typer.Option(help="Register this URL (https, or http to loopback).")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove the project's webhook.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Show a project's webhook and its last delivery; set (printing its new secret once) or remove it."""
    from core.control.webhooks import WebhookURLError

    with _control_plane(data_dir) as control:
        project = _project_named(control, name)
        if remove:
            control.webhooks.remove(project.id)
        elif url is not None:
            try:
                secret = control.webhooks.configure(project.id, url)
            except WebhookURLError as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from exc
            typer.echo(f"webhook of {project.name}: {url}; its signing secret, shown only now:")
            typer.echo(secret)
            return
        config = control.webhooks.get(project.id)
        if config is None:
            typer.echo(f"webhook of {project.name}: none")
            return
        typer.echo(f"webhook of {project.name}: {config.url}; last delivery: {config.last_status or 'none yet'}"
                   f"{f' (HTTP {config.last_http_status})' if config.last_http_status else ''}"
                   f"{f': {config.last_error}' if config.last_error else ''}; "
                   f"{config.delivered} delivered, {config.failed} failed")


def _project_named(control: ControlPlane, name: str):  # noqa: ANN202 - a Project
    project = control.projects.by_name(name)
    if project is None:
        typer.echo(f"error: no project named {name!r}", err=True)
        raise typer.Exit(1)
    return project


@contextmanager
def _control_plane(data_dir: Path | None) -> Iterator[ControlPlane]:
    """The control plane `memfeed up` uses, starting its private Redis for the moment if needed."""
    from core.control import ControlPlane

    settings = _configure(data_dir)
    runtime = _use_redis(settings, start_private=True)
    try:
        yield ControlPlane.from_settings(get_settings())
    finally:
        runtime.stop()


@app.command()
def demo(
    url: Annotated[str | None, typer.Option(help="A running memfeed; default: the configured one, or start one.")] = None,
    api_key: Annotated[str | None, typer.Option(help="Key of the project to use; default: a new demo project.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Data directory for a stack the demo starts.")] = None,
) -> None:
    """Run the seed scenarios step by step against a running stack (or one it starts)."""
    from memfeed.demo import run_demo

    settings = _configure(data_dir)
    sys.exit(run_demo(settings, url, api_key))


@app.command("eval")
def evaluate(
    cases: Annotated[Path, typer.Argument(help="Feedback cases, one JSON object per line.")],
    analyzer: Annotated[str, typer.Option(help="offline or llm.")] = "offline",
    json_report: Annotated[Path | None, typer.Option("--json", help="Write a detailed report here.")] = None,
    figures_only: Annotated[
        bool, typer.Option("--figures-only", help="Print the figures, not which cases failed or why (a sealed set).")
    ] = False,
) -> None:
    """Replay feedback cases through the real stages and store; the last line is the accuracy."""
    from memfeed.evaluation import run_cases
    from memfeed.evaluation.cases import CaseFileError, load_cases
    from memfeed.evaluation.report import print_report, write_json_report
    from pipeline.analyzers.factory import AnalyzerUnavailableError

    try:
        loaded = load_cases(cases)
        settings = get_settings()
        results = run_cases(
            loaded, analyzer, settings.conversation_context_turns, settings.llm_config(), settings.embedder_config()
        )
    except (CaseFileError, AnalyzerUnavailableError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if json_report:
        write_json_report(results, json_report)
    print_report(results, typer.echo, failures=not figures_only)


@app.command()
def backfill(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="add/feedback bodies, one JSON object per line.")],
    url: Annotated[str | None, typer.Option(help="memfeed's base URL; default: the configured API.")] = None,
    api_key: Annotated[str, typer.Option(envvar="MEMFEED_API_KEY", help="The project's API key.")] = ...,
    wait: Annotated[bool, typer.Option("--wait", help="Wait until every item has finished.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=1000, help="Items per add/feedback/batch request.")] = 1000,
) -> None:
    """Replay collected feedback in bulk; rerunning the same file skips what was accepted before."""
    from memfeed.backfill_cli import run_backfill

    settings = get_settings()
    base_url = url or f"http://{settings.api_host}:{settings.api_port}"
    sys.exit(run_backfill(file, base_url, api_key, wait, batch_size))


@app.command()
def reindex(
    data_dir: Annotated[Path | None, typer.Option(help="As given to `memfeed up`.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=4096, help="Memories embedded per batch.")] = 128,
    keep_previous: Annotated[bool, typer.Option(help="Keep the old embedded store beside the new one.")] = False,
) -> None:
    """Re-embed every memory (all versions, every project) with the configured embedder.

    Run it with memfeed stopped. An interrupted run goes on where it stopped when run again.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from memfeed.reindex import reindex as run_reindex
    from pipeline.embedding import EmbeddingError, build_embedder
    from pipeline.reindex import ReindexVerificationError
    from pipeline.store.base import StoreError

    settings = _configure(data_dir)
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("re-embedding", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, advance=done, total=total)

        try:
            report = run_reindex(settings, build_embedder(settings.embedder_config()), batch_size, keep_previous,
                                 advance)
        except StoreError as exc:
            typer.echo(f"error: cannot open the store ({exc}); stop memfeed before reindexing", err=True)
            raise typer.Exit(2) from exc
        except (EmbeddingError, ReindexVerificationError) as exc:
            typer.echo(f"error: {exc}; run `memfeed reindex` again to go on", err=True)
            raise typer.Exit(1) from exc
    typer.echo(report.summary())


def _stderr_console():  # noqa: ANN202 - rich.console.Console
    from rich.console import Console

    return Console(stderr=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
