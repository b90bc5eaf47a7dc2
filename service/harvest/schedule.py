"""Run harvests when the register says so: each pull channel's ``ks:schedule`` is a cron
expression (``0 3 * * *``: every night at three, Swedish time).

A source is *due* when a scheduled time has passed since it was last harvested on schedule
(a source never harvested is due at once). :func:`run_due` harvests every due source and
records the run, so whatever calls it — ``kunskapsgraf harvest --due`` from cron or a
systemd timer, or the service's own scheduler thread (``KUNSKAPSGRAF_HARVEST_SCHEDULER``) —
can call it as often as it likes: a source runs at most once per scheduled time. A channel
with an unreadable expression is reported and skipped; it never stops the other sources.
The audit trail names who ran the schedule: the operator for the command line, the
``scheduler`` agent for the service's thread, with the trigger ``schedule``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from croniter import croniter

from service.config import Settings
from service.errors import KunskapsgrafError
from service.governance import audit
from service.governance.roles import Principal
from service.harvest.harvester import PULL_TYPES, HarvestReport, harvest
from service.harvest.state import HarvestState
from service.ingest.runs import RunLog
from service.queries import load_query
from service.store.base import Store
from service.terms import KSV

__all__ = ["ScheduleProblem", "ScheduledRun", "Scheduler", "due_sources", "run_due", "schedules"]

# Schedules are written in Swedish local time: "0 3 * * *" is three at night in Sweden.
LOCAL = ZoneInfo("Europe/Stockholm")
_CHANNEL_TYPE = KSV + "channel-type/"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduleProblem:
    source: str
    schedule: str
    message_sv: str
    message_en: str


@dataclass
class ScheduledRun:
    """What one call of :func:`run_due` did."""

    due: list[str] = field(default_factory=list)
    reports: dict[str, HarvestReport] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # source → why the harvest failed
    problems: list[ScheduleProblem] = field(default_factory=list)


def schedules(store: Store) -> tuple[dict[str, list[str]], list[ScheduleProblem]]:
    """Source key → the cron expressions of its pull channels, and the expressions that
    cannot be read."""
    out: dict[str, list[str]] = {}
    problems: list[ScheduleProblem] = []
    for row in store.select(load_query("harvest-scheduled")):
        kind = row["type"].value.removeprefix(_CHANNEL_TYPE)
        if kind not in PULL_TYPES:
            continue
        key, expression = row["key"].value, row["schedule"].value.strip()
        if not croniter.is_valid(expression):
            problems.append(
                ScheduleProblem(
                    key,
                    expression,
                    f"körschemat {expression!r} är inget giltigt cron-uttryck "
                    "(fem fält: minut timme dag månad veckodag)",
                    f"the schedule {expression!r} is not a valid cron expression "
                    "(five fields: minute hour day month weekday)",
                )
            )
            continue
        found = out.setdefault(key, [])
        if expression not in found:
            found.append(expression)
    return out, problems


def last_scheduled(expression: str, now: dt.datetime) -> dt.datetime:
    """The latest time at or before ``now`` that ``expression`` names (in Swedish time)."""
    local = now.astimezone(LOCAL)
    # croniter's get_prev is strictly before its start: start one second later so a run
    # exactly on time counts.
    previous: dt.datetime = croniter(expression, local + dt.timedelta(seconds=1)).get_prev(
        dt.datetime
    )
    return previous.astimezone(dt.UTC)


def due_sources(
    store: Store, state: HarvestState, now: dt.datetime
) -> tuple[list[str], list[ScheduleProblem]]:
    """The sources with a scheduled time after their last scheduled harvest."""
    by_source, problems = schedules(store)
    runs = state.last_runs()
    due: list[str] = []
    for source, expressions in sorted(by_source.items()):
        last = runs.get(source)
        if last is None:
            due.append(source)
            continue
        try:
            ran = dt.datetime.fromisoformat(last)
        except ValueError:
            due.append(source)  # an unreadable record costs one extra run, never a missed one
            continue
        if any(last_scheduled(e, now) > ran for e in expressions):
            due.append(source)
    return due, problems


def run_due(
    store: Store,
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    run_log: RunLog | None = None,
    on_change: Callable[[str], None] | None = None,
    run: Callable[..., HarvestReport] = harvest,
    actor: Principal = audit.SCHEDULER,
) -> ScheduledRun:
    """Harvest every due source now and record the run (also when it failed, so a broken
    source is retried at its next scheduled time, not in a tight loop). ``on_change`` is
    called with the key of each source whose content a harvest changed; ``actor`` is who
    runs the schedule, for the audit trail."""
    now = now or dt.datetime.now(dt.UTC)
    state = HarvestState.for_store(store, settings)
    due, problems = due_sources(store, state, now)
    result = ScheduledRun(due=due, problems=problems)
    for source in due:
        changed = (lambda key=source: on_change(key)) if on_change is not None else None
        try:
            result.reports[source] = run(
                store,
                settings,
                source,
                run_log=run_log,
                on_change=changed,
                state=state,
                actor=actor,
                trigger="schedule",
            )
        except KunskapsgrafError as exc:
            result.failed[source] = exc.message_en
            log.warning("scheduled harvest of %s failed: %s", source, exc.message_en)
        state.record_run(source, now.isoformat())
    return result


class Scheduler:
    """The service's own scheduler: a daemon thread that calls :func:`run_due` once a
    minute (cron's resolution). For the embedded store, which only one process can open,
    this is how scheduled harvests run without stopping the service."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        run_log: RunLog | None = None,
        on_change: Callable[[str], None] | None = None,
        interval_s: float = 60.0,
    ) -> None:
        self._store, self._settings = store, settings
        self._run_log, self._on_change = run_log, on_change
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="harvest-scheduler", daemon=True)
        self.runs = 0  # completed passes, for tests and metrics

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_due(
                    self._store, self._settings, run_log=self._run_log, on_change=self._on_change
                )
            except Exception:  # a scheduler that dies silently is worse than one that logs
                log.exception("scheduled harvests failed")
            self.runs += 1
            self._stop.wait(self._interval)
