"""The body of one analysis job: load, embed and fit through nlp, then save in one transaction.

Job state lives in the AnalysisRun row, written in short transactions of their own so the web
can show progress; the themes are written, and `is_current` flipped, only at the very end.
"""

import logging
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from consult.analysis import corpus as analysis_corpus
from consult.analysis import theme_engine, theme_refit
from consult.analysis.embedding_store import DatabaseEmbeddingCache
from consult.analysis.models import AnalysisRun
from consult.analysis.rows import existing
from consult.common.models import utcnow

log = logging.getLogger(__name__)

# nlp's own stages, folded into the stages planners see, with the overall progress they start at.
NLP_STAGES = {
    "preprocess": ("loading", 2),
    "embed": ("embedding", 10),
    "cluster": ("fitting", 30),
    "outliers": ("fitting", 60),
    "represent": ("fitting", 70),
    "assign": ("mapping", 80),
    "done": ("mapping", 85),
}


@dataclass(frozen=True)
class JobSettings:
    encoder: str
    model_dir: str
    heartbeat_every: float | None = 5.0
    live_encoder: str = "auto"


class RunTracker:
    """Write a run's stage, progress, heartbeat and per-stage durations as it goes."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        self.engine = engine
        self.run_id = run_id
        self.stage_name = ""
        self.stage_started = time.perf_counter()
        self.timings: dict[str, float] = {}
        self.lock = threading.Lock()

    def _update(self, params: dict | None = None, **fields) -> None:
        with self.lock, Session(self.engine) as db:
            run = existing(db, AnalysisRun, self.run_id)
            for name, value in fields.items():
                setattr(run, name, value)
            if params:
                run.params = {**run.params, **params}
            run.heartbeat_at = utcnow()
            db.commit()

    def begin(self) -> None:
        self._update(status="running", started_at=utcnow(), error=None)

    def stage(self, name: str, progress: int, params: dict | None = None) -> None:
        """Enter a stage (no-op if already in it, but still a heartbeat)."""
        if name != self.stage_name:
            self._close_stage()
            self.stage_name = name
        self._update(params, stage=name, progress=progress)

    def _close_stage(self) -> None:
        if self.stage_name:
            spent = time.perf_counter() - self.stage_started
            self.timings[self.stage_name] = round(self.timings.get(self.stage_name, 0) + spent, 3)
        self.stage_started = time.perf_counter()

    def nlp_progress(self, stage: str, fraction: float) -> None:
        """nlp's progress hook."""
        name, start = NLP_STAGES.get(stage, (self.stage_name or "fitting", 50))
        self.stage(name, max(start, int(5 + fraction * 80)))

    def vectors(self, done: int, total: int) -> None:
        """Progress of the corpus's embedding ("12.000 di 100.000"), kept in the run's params."""
        vectors = {"vectors": {"done": done, "total": total}}
        self.stage("embedding", 5 + int(5 * done / max(total, 1)), vectors)

    def beat(self) -> None:
        self._update()

    def finish_timings(self) -> dict[str, float]:
        self._close_stage()
        self.stage_name = ""
        return dict(self.timings)

    def fail(self, exc: BaseException) -> None:
        message = f"{type(exc).__name__}: {exc}"[:2000]
        self._update(status="failed", error=message, finished_at=utcnow())


class Heartbeat:
    """Beat every few seconds while a long nlp stage runs; a killed worker stops beating."""

    def __init__(self, tracker: RunTracker, every: float | None) -> None:
        self.tracker = tracker
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="analysis-heartbeat")

    def __enter__(self) -> "Heartbeat":
        if self.every:
            self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join()

    def _loop(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                self.tracker.beat()
            except Exception:  # a missed beat is harmless; the next one retries
                log.warning("analysis heartbeat failed", exc_info=True)


# Fills the cache with the corpus's vectors before the fit: (texts, progress(done, total)).
EmbedCorpus = Callable[[Sequence[str], Callable[[int, int], None]], object]


def run(
    engine: Engine, run_id: int, settings: JobSettings, embed_corpus: EmbedCorpus | None = None
) -> str:
    """Run one analysis; on any error the run is failed and the previous themes stay current.

    `embed_corpus` (chunks shared with other workers) runs first, so the fit finds every
    vector in the cache and the planner sees how many are done.
    """
    tracker = RunTracker(engine, run_id)
    tracker.begin()
    try:
        with Heartbeat(tracker, settings.heartbeat_every):
            tracker.stage("loading", 1)
            corpus = analysis_corpus.load(engine, run_id)
            encoder = theme_engine.build_encoder(settings.encoder)
            fast = theme_engine.build_live_encoder(settings.live_encoder, settings.encoder)
            cache = DatabaseEmbeddingCache(engine)
            tracker.stage("embedding", 5)
            if embed_corpus is not None:
                embed_corpus(corpus.texts, tracker.vectors)
            result = theme_engine.fit_themes(
                corpus.texts,
                encoder=encoder,
                objectives=corpus.objectives,
                labels=corpus.labels,
                cache=cache,
                fast_encoder=fast,
                progress=tracker.nlp_progress,
            )
            tracker.stage("matching", 86)
            identities = theme_refit.match_previous(engine, corpus, result)
            tracker.stage("saving", 92)
            model_path = theme_engine.save_model(result, f"{settings.model_dir}/run-{run_id}")
        # Heartbeat stopped: the final transaction must be the only writer (SQLite).
        timings = tracker.finish_timings()
        with Session(engine) as db:
            theme_refit.save(db, run_id, corpus, result, identities, timings, model_path=model_path)
            db.commit()
    except Exception as exc:
        log.error("analysis run %s failed:\n%s", run_id, traceback.format_exc())
        tracker.fail(exc)
        return "failed"
    return "succeeded"
