"""What a worker process builds once and shares between its threads."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from core.celery_app import celery_app
from core.chains import DELIVER_WEBHOOK
from core.control import ControlPlane
from core.settings import get_settings
from core.token_windows import ProjectTokenBudget, TokenWindows, window_limits
from pipeline.analyzers.base import Analyzer
from pipeline.analyzers.factory import build_analyzer, openai_client
from pipeline.analyzers.offline import OfflineAnalyzer
from pipeline.analyzers.trace import AnalyzerTrace
from pipeline.embedding import Embedder, build_embedder
from pipeline.memory_index import MemoryIndex
from pipeline.sparse import SparseEncoder
from pipeline.store.base import MemoryStore
from workers.stores import describe_store, open_store

log = logging.getLogger(__name__)
# Threads of one worker share these; the first caller builds each one.
_build_lock = threading.RLock()
_store: MemoryStore | None = None


def _built_once(factory):
    cached = lru_cache(maxsize=1)(factory)

    def get():
        with _build_lock:
            return cached()

    get.cache_clear = cached.cache_clear
    return get


@_built_once
def control_plane() -> ControlPlane:
    control = ControlPlane.from_settings(get_settings())
    # A webhook delivery that falls due as a job settles is sent at once (else by the sweeper).
    control.webhooks.dispatcher = send_webhook_delivery
    return control


def send_webhook_delivery(entry: str) -> None:
    celery_app.send_task(DELIVER_WEBHOOK, args=(entry,))


@_built_once
def embedder() -> Embedder:
    return build_embedder(get_settings().embedder_config())


def store() -> MemoryStore:
    global _store
    with _build_lock:
        if _store is None:
            settings = get_settings()
            _store = open_store(settings, embedder().identity)
            log.info("opened %s (vectors of %s)", describe_store(settings), _store.embedder.describe())
        return _store


@_built_once
def memory_index() -> MemoryIndex:
    return MemoryIndex(store(), embedder(), SparseEncoder())


@_built_once
def offline_analyzer() -> Analyzer:
    return build_analyzer("offline", embedder())


@_built_once
def llm_client():  # noqa: ANN201 - an openai.OpenAI
    return openai_client(get_settings().llm_config())


@_built_once
def token_windows() -> TokenWindows:
    return TokenWindows(control_plane().redis, get_settings().redis_prefix)


def analyzer_for(project_id: str) -> Analyzer:
    """The configured analyzer for one job: with the LLM, its own trace and the project's budget."""
    settings = get_settings()
    if settings.analyzer == "offline":
        return offline_analyzer()
    project = control_plane().projects.get(project_id)
    budget = ProjectTokenBudget(token_windows(), project_id, window_limits(project, settings)) if project else None
    return build_analyzer(
        "llm", embedder(), settings.llm_config(), client=llm_client(), budget=budget, trace=AnalyzerTrace(),
        offline=offline_analyzer(),
    )


# Feedback, with a memory it corrects, that the worker runs through the offline analyzer and the
# lookup before it takes a task: what the rules load on first use (jieba's dictionary and its
# part-of-speech model, the modules and patterns of each language's rules) loads then, not while the
# first jobs wait. About a second at start.
WARM_UP_FEEDBACK = (
    ("The purchase limit for office software is 600 CNY, not 800 CNY.",
     "The purchase limit for office software is 800 CNY."),
    ("Actually I don't like swimming.", "The user likes swimming."),
    ("Zhang Wei lives in Shanghai now.", "Zhang Wei lives in Beijing."),
    ("实际上我不喜欢游泳，我喜欢跑步。", "用户喜欢游泳。"),
    ("张伟现在住在上海。", "张伟住在北京。"),
    ("将'扬州炒饭'统一替换为'南京烤鸭'", "用户喜欢吃扬州炒饭。"),
    ("thanks!", "The user likes tea."),
)
# A project no key can reach: the warm-up's lookups find nothing and write nothing.
WARM_UP_PROJECT = "memfeed-warm-up"


def warm_up() -> None:
    """Open the store, load the model and run the analyzer's rules once before the first job, not
    during it."""
    index = memory_index()
    embedder().embed(["warm up"])
    _warm_up_offline_analyzer(index)


def warm_up_analysis() -> None:
    """An analysis worker's warm-up: the analyzer's validate and classify rules only; it never
    opens the store."""
    _warm_up_offline_analyzer(None)


def _warm_up_offline_analyzer(index: MemoryIndex | None) -> None:
    try:
        analyzer = offline_analyzer()
        if isinstance(analyzer, OfflineAnalyzer):
            analyzer.prepare()
        warm_up_analyzer(analyzer, index)
    except Exception:  # a rule failing on the warm-up text must not keep the worker from its tasks
        log.exception("warming up the analyzer failed; the first jobs load what it did not")


def warm_up_analyzer(analyzer: Analyzer, index: MemoryIndex | None) -> None:
    """The stages' reads on WARM_UP_FEEDBACK, in a scope with no memories: nothing is written.
    Without an index, validate and classify only."""
    from pipeline import stages
    from pipeline.job import FeedbackJob
    from pipeline.models import MemoryRecord

    for position, (feedback, memory) in enumerate(WARM_UP_FEEDBACK):
        job = FeedbackJob(job_id=f"warm-up-{position}", project_id=WARM_UP_PROJECT, user_id="warm-up",
                          feedback_content=feedback)
        if not stages.validate(job, analyzer).valid:
            continue
        classification = stages.classify(job, analyzer)
        if index is None:
            continue
        try:
            stages.plan_lookup(job, classification, index, analyzer)
        except stages.ReplacementRefused:
            pass
        candidate = MemoryRecord(id=f"warm-up-{position}", project_id=WARM_UP_PROJECT, user_id="warm-up",
                                 memory_value=memory)
        for statement in classification.statements:
            analyzer.judge_conflicts(statement, [candidate], [None], feedback, [])


def close() -> None:
    global _store
    with _build_lock:
        if _store is not None:
            _store.close()
            _store = None
        memory_index.cache_clear()
