"""The actors, declared on the global broker when `workers.broker.setup_broker` imports this module.

Thin by rule: take ids, load by id, call one domain function, record the outcome. Every actor is idempotent
(a batch already settled is skipped; a planned run hands back only its unfinished batches). The error type
decides the retry (see `workers.retries`); when retries run out, or an error is not worth retrying, the
batch or run is recorded as failed with the reason, so no run waits for ever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import dramatiq
from dramatiq.middleware import CurrentMessage
from sqlalchemy import Engine

from workers import checks, drift, planner, push, scan_runs
from workers.accounts import connected_marketplaces
from workers.broker import CHECK, EMAIL, FIRST, PLAN, PUSH, current_broker
from workers.context import Context, context_of, mailer_of, writing
from workers.retries import MAX_RETRIES, delay_for, transient
from workers.runs import fail_run, run_scope
from workers.store.models import RunKind, RunStatus

if TYPE_CHECKING:
    from workers.mail import Mailer

logger = logging.getLogger(__name__)

PUSH_TIME_LIMIT_MS = 15 * 60_000
SCAN_TIME_LIMIT_MS = 60 * 60_000
MAIL_TIME_LIMIT_MS = 5 * 60_000
#: Deliveries of a batch whose images could not be fetched before it is pushed with those unchecked.
CHECK_RETRIES = 3
BROKER = current_broker()  # raises unless setup_broker ran first (it imports this module)


def _retries() -> int:
    """How many times the message being handled was retried already."""
    message = CurrentMessage.get_current_message()
    return int(message.options.get("retries", 0)) if message else 0


def _out_of_retries() -> bool:
    return _retries() >= MAX_RETRIES


def _fetch_later(exc: checks.ImagesUnavailable, retries: int) -> NoReturn:
    """Retry a check whose images could not be fetched, with backoff (up to `CHECK_RETRIES` times)."""
    logger.warning("%s; trying again (%d of %d)", exc, retries + 1, CHECK_RETRIES)
    raise dramatiq.Retry(str(exc), delay=delay_for(retries, None)) from None


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc)
    return f"{type(exc).__name__}: {text}"[:2000]


@dramatiq.actor(broker=BROKER, queue_name=PLAN, priority=0, time_limit=10 * 60_000)
def plan(run_id: str) -> None:
    """Plan a run and enqueue its batches, stock-outs first; a nightly run also repairs drift first and hands
    out its rechecks after."""
    broker = BROKER
    ctx = context_of(broker)
    try:
        with ctx.engine.connect() as conn:
            run, _, marketplaces = run_scope(conn, run_id)
        nightly = run.kind == RunKind.NIGHTLY
        if nightly and run.status == RunStatus.QUEUED:  # once: a redelivered plan skips it
            nightly_drift_check(ctx, run, marketplaces)
        planned = planner.plan_run(ctx.engine, run_id)
    except Exception as exc:
        if transient(exc) and not _out_of_retries():
            raise
        logger.exception("planning run %s failed", run_id)
        with writing(ctx.engine) as conn:
            fail_run(conn, run_id, f"planning failed: {_reason(exc)}")
        return
    # A run sees every brand change made before it (one small query); no brand image, no checking at all.
    screener = checks.screener_of(ctx) if planned or nightly else None
    checking = screener is not None and screener.active(refresh=True)
    for item in planned:
        if item.lane == planner.FIRST:  # stock-outs change no image: nothing to check
            push_first.send(item.batch_id)
        elif checking:
            check_batch.send(item.batch_id)
        else:
            PUSHERS[item.marketplace].send(item.batch_id)
    if nightly and screener is not None and checking:
        nightly_recheck(ctx, run, marketplaces, screener.snapshot().generation)


def nightly_recheck(ctx: Context, run: Any, marketplaces: list[str] | None, generation: int) -> None:
    """Hand the seller's live listings to `recheck_listings` where the brands changed since their last
    recheck (see `workers.checks.recheck`); a redelivered plan finds them rechecked already."""
    for due in checks.due_rechecks(ctx, run.seller_id, marketplaces, generation):
        for part in due.parts():
            recheck_listings.send(due.seller_id, due.marketplace, part)
        checks.mark_rechecked(ctx, due)
        logger.info(
            "run %s: %d live %s listings to recheck against brand index generation %d",
            run.id,
            len(due.skus),
            due.marketplace,
            generation,
        )


def nightly_drift_check(ctx: Context, run: Any, marketplaces: list[str] | None) -> None:
    """Repair drift on the run's connected marketplaces (see `workers.drift`)."""
    with ctx.engine.connect() as conn:
        connected = connected_marketplaces(conn, run.seller_id)
    chosen = [m for m in connected if marketplaces is None or m in marketplaces]
    for marketplace, report in drift.repair_drift(ctx, run.seller_id, chosen).items():
        if report.drifted:
            logger.info("run %s: %d drifted listings on %s", run.id, len(report.drifted), marketplace)


def _push(batch_id: int) -> None:
    ctx = context_of(BROKER)
    try:
        outcome = push.push_batch(ctx, batch_id)
    except Exception as exc:
        if transient(exc) and not _out_of_retries():
            raise
        logger.exception("push batch %s failed", batch_id)
        push.give_up(ctx, batch_id, _reason(exc))
        return
    message = CurrentMessage.get_current_message()
    for new in outcome.split:  # the halves go back on the queue this batch came from
        BROKER.get_actor(message.actor_name if message else "push_first").send(new)


def _pusher(name: str, queue: str, priority: int) -> dramatiq.Actor[[int], None]:
    """One push actor per queue, all running `_push`: the queue decides the lane and the marketplace."""
    declare = dramatiq.actor(
        broker=BROKER, actor_name=name, queue_name=queue, priority=priority, time_limit=PUSH_TIME_LIMIT_MS
    )
    return declare(_push)


push_first = _pusher("push_first", FIRST, 0)
PUSHERS = {marketplace: _pusher(f"push_{marketplace}", queue, 10) for marketplace, queue in PUSH.items()}


@dramatiq.actor(broker=BROKER, queue_name=CHECK, priority=20, time_limit=PUSH_TIME_LIMIT_MS)
def check_batch(batch_id: int) -> None:
    """Match a batch's new and changed images against the brands, alert, then hand it to its push actor.

    Images that cannot be fetched make the batch wait (backoff) up to `CHECK_RETRIES` times; then it is pushed
    with those images unchecked (see `workers.checks.stage`). Pushes come first on a busy worker (priority 20
    against their 10): a batch checked already goes out while the next ones are checked.
    """
    ctx = context_of(BROKER)
    retries = _retries()
    try:
        checked = checks.check_batch(ctx, checks.screener_of(ctx), batch_id, give_up=retries >= CHECK_RETRIES)
    except checks.ImagesUnavailable as exc:
        _fetch_later(exc, retries)
    except Exception as exc:
        if transient(exc) and not _out_of_retries():
            raise
        logger.exception("checking batch %s failed", batch_id)
        push.give_up(ctx, batch_id, f"checking its images failed: {_reason(exc)}")
        return
    if checked.marketplace is None:
        return  # settled before this delivery
    for finding_id in checked.alerts:
        mail_alerts(ctx, finding_id)
    PUSHERS[checked.marketplace].send(batch_id)


@dramatiq.actor(broker=BROKER, queue_name=CHECK, priority=30, time_limit=PUSH_TIME_LIMIT_MS)
def recheck_listings(seller_id: str, marketplace: str, skus: list[str]) -> None:
    """Match live listings' images against the brands again and alert what matches (a nightly run's recheck).

    Images that cannot be fetched make it wait (backoff) up to `CHECK_RETRIES` times, then the others are
    judged without them. Checks and pushes come first on a busy worker (priority 30 against 20 and 10).
    """
    ctx = context_of(BROKER)
    retries = _retries()
    try:
        rechecked = checks.recheck_listings(
            ctx, checks.screener_of(ctx), seller_id, marketplace, skus, give_up=retries >= CHECK_RETRIES
        )
    except checks.ImagesUnavailable as exc:
        _fetch_later(exc, retries)
    except Exception as exc:
        if transient(exc) and not _out_of_retries():
            raise
        logger.exception("rechecking %d %s listings of seller %s failed", len(skus), marketplace, seller_id)
        return
    for finding_id in rechecked.alerts:
        mail_alerts(ctx, finding_id)
    if rechecked.suspects:
        logger.info(
            "recheck of seller %s on %s: %d of %d listings match a brand that has not authorised the seller",
            seller_id,
            marketplace,
            rechecked.suspects,
            rechecked.checked,
        )


@dramatiq.actor(broker=BROKER, queue_name=EMAIL, priority=0, time_limit=MAIL_TIME_LIMIT_MS)
def send_alert_mail(alert_id: int) -> None:
    """Send one alert e-mail; a mail outage retries with backoff, and the alert stays pending for the sweep
    (`sweep_alerts`) if it outlasts the retries, so an alert is delayed, never lost."""
    from workers.mail import send_alert

    _send_mail("alert", alert_id, send_alert)


def _send_mail(kind: str, key: int, send: Callable[[int, Mailer], object]) -> None:
    """Send one alert or digest under a lock of its own, so a swept copy of a message and its retry never
    send it twice; a mail outage (TransientMailError) retries with backoff."""
    from workers.mail import TransientMailError

    ctx = context_of(BROKER)
    retries = _retries()
    lock = ctx.redis.lock(f"{ctx.prefix}:mail:{kind}:{key}", timeout=MAIL_TIME_LIMIT_MS / 1000)
    if not lock.acquire(blocking=False):
        raise dramatiq.Retry(f"{kind} {key} is being sent by another worker", delay=delay_for(retries, None))
    try:
        outcome = send(key, mailer_of(ctx))
    except TransientMailError as exc:
        logger.warning("%s %s not sent yet: %s", kind, key, exc)
        raise dramatiq.Retry(f"mail server unavailable: {exc}", delay=delay_for(retries, None)) from None
    finally:
        lock.release()
    logger.info("%s %s: %s", kind, key, outcome)


def mail_alerts(ctx: Context, finding_id: int) -> list[int]:
    """Queue the alerts of a new or materially changed finding and hand each to `send_alert_mail`."""
    from workers.mail import queue_alerts

    with writing(ctx.engine) as conn:
        alert_ids = queue_alerts(conn, finding_id)
    for alert_id in alert_ids:
        send_alert_mail.send(alert_id)
    return alert_ids


def sweep_alerts(ctx: Context) -> int:
    """Send on every alert still pending (a mail outage outlasted the retries); returns how many."""
    return sweep_pending_alerts(ctx.engine)


def sweep_pending_alerts(engine: Engine) -> int:
    """`sweep_alerts` with the store alone, for the scheduler."""
    from workers.mail import pending_alerts

    with engine.connect() as conn:
        alert_ids = pending_alerts(conn)
    for alert_id in alert_ids:
        send_alert_mail.send(alert_id)
    return len(alert_ids)


@dramatiq.actor(broker=BROKER, queue_name=EMAIL, priority=0, time_limit=MAIL_TIME_LIMIT_MS)
def send_digest_mail(contact_id: int) -> None:
    """Send a digest contact its daily e-mail; a mail outage retries, and the alerts stay pending."""
    from workers.mail import send_digest

    _send_mail("digest", contact_id, send_digest)


@dramatiq.actor(broker=BROKER, queue_name=CHECK, priority=10, time_limit=SCAN_TIME_LIMIT_MS)
def scan_brand(scan_id: int) -> None:
    """Run a brand scan opened with `workers.scan_runs.open_scan`; a scan already done is skipped."""
    ctx = context_of(BROKER)
    try:
        summary = scan_runs.run_scan(ctx, scan_id)
    except Exception as exc:
        if transient(exc) and not _out_of_retries():
            raise
        logger.exception("scan %s failed", scan_id)
        return
    if summary is not None:
        logger.info("scan %s: %s", scan_id, summary.line())
