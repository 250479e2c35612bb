"""The e-mail actor: alerts leave through the `email` queue to a real SMTP server, once, and a mail outage
delays them without losing any."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from types import ModuleType

import dramatiq
import pytest
import sqlalchemy as sa
from alert_support import CopiedListing, mailer, record
from smtp_support import SmtpServer
from sqlalchemy import Engine

from workers.broker import EMAIL, ListingSyncBroker
from workers.context import Context, attach
from workers.mail import SmtpTransport, TransientMailError, Transport
from workers.settings import Settings
from workers.store.brand_models import Alert


class Watched(Transport):
    """A real SMTP transport that also says when a send failed, so a test can wait for the outage."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.failed = threading.Event()

    def send(self, message: EmailMessage) -> None:
        try:
            self.inner.send(message)
        except TransientMailError:
            self.failed.set()
            raise


@pytest.fixture
def context(
    engine: Engine, db_url: str, broker: ListingSyncBroker, redis_url: str, tmp_path: Path
) -> Context:
    settings = Settings(data_dir=tmp_path, database_url=db_url)
    ctx = Context.build(settings, redis_url, prefix=broker.namespace, engine=engine)
    attach(broker, ctx)
    return ctx


@pytest.fixture
def actors(broker: ListingSyncBroker) -> ModuleType:
    """`workers.actors`, importable once the broker is set up."""
    import workers.actors

    return workers.actors


@pytest.fixture
def email_worker(broker: ListingSyncBroker) -> Iterator[dramatiq.Worker]:
    worker = dramatiq.Worker(broker, queues={EMAIL}, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


def drain_email(broker: ListingSyncBroker, worker: dramatiq.Worker) -> None:
    for _ in range(3):  # a retried message moves between the delay queue and the queue
        broker.join(EMAIL, timeout=30_000)
        broker.join(f"{EMAIL}.DQ", timeout=30_000)
        worker.join()


def sent_at(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(conn.scalars(sa.select(Alert.sent_at).order_by(Alert.id)))


def test_a_finding_reaches_each_contact_once_through_the_email_queue(
    engine: Engine,
    acme_copy: CopiedListing,
    context: Context,
    actors: ModuleType,
    broker: ListingSyncBroker,
    email_worker: dramatiq.Worker,
    smtp_server: SmtpServer,
) -> None:
    context.extras["mailer"] = mailer(engine, SmtpTransport(smtp_server.url))
    recorded, _ = record(engine, acme_copy)
    assert recorded.finding_id is not None
    assert len(actors.mail_alerts(context, recorded.finding_id)) == 2
    drain_email(broker, email_worker)
    recipients = sorted(str(m.message["To"]) for m in smtp_server.messages)
    assert recipients == ["legal@acme.example", "owner@acme.example"]
    assert all(at is not None for at in sent_at(engine))

    assert actors.mail_alerts(context, recorded.finding_id) == []  # queued again: nothing more to send
    assert actors.sweep_alerts(context) == 0
    drain_email(broker, email_worker)
    assert len(smtp_server.messages) == 2


def test_a_mail_outage_delays_alerts_and_the_retry_delivers_them(
    engine: Engine,
    acme_copy: CopiedListing,
    context: Context,
    actors: ModuleType,
    broker: ListingSyncBroker,
    email_worker: dramatiq.Worker,
    smtp_server_factory: object,
) -> None:
    down = smtp_server_factory()  # type: ignore[operator]
    down.stop()
    watched = Watched(SmtpTransport(down.url + "?timeout=2"))
    context.extras["mailer"] = mailer(engine, watched)
    recorded, _ = record(engine, acme_copy)
    assert recorded.finding_id is not None
    actors.mail_alerts(context, recorded.finding_id)
    assert watched.failed.wait(30)
    assert sent_at(engine) == [None, None]  # nothing recorded as sent, nothing lost

    live = smtp_server_factory()  # type: ignore[operator]
    context.extras["mailer"] = mailer(engine, SmtpTransport(live.url))
    drain_email(broker, email_worker)
    assert sorted(str(m.message["To"]) for m in live.messages) == ["legal@acme.example", "owner@acme.example"]
    assert all(at is not None for at in sent_at(engine))


def test_the_sweep_sends_on_alerts_left_pending(
    engine: Engine,
    acme_copy: CopiedListing,
    context: Context,
    actors: ModuleType,
    broker: ListingSyncBroker,
    email_worker: dramatiq.Worker,
    smtp_server: SmtpServer,
) -> None:
    context.extras["mailer"] = mailer(engine, SmtpTransport(smtp_server.url))
    record(engine, acme_copy)  # queued in the store but never handed to the actor, as after an outage
    assert actors.sweep_alerts(context) == 2
    drain_email(broker, email_worker)
    assert len(smtp_server.messages) == 2 and all(at is not None for at in sent_at(engine))


def test_an_alert_being_sent_elsewhere_is_not_sent_twice(
    engine: Engine,
    acme_copy: CopiedListing,
    context: Context,
    actors: ModuleType,
    smtp_server: SmtpServer,
) -> None:
    context.extras["mailer"] = mailer(engine, SmtpTransport(smtp_server.url))
    _, alert_ids = record(engine, acme_copy)
    first = alert_ids[0]
    held = context.redis.lock(f"{context.prefix}:mail:alert:{first}", timeout=60)
    assert held.acquire(blocking=False)  # as if another worker were sending it right now
    with pytest.raises(dramatiq.Retry, match="being sent by another worker"):
        actors.send_alert_mail.fn(first)  # a swept copy of the same alert: it waits its turn
    assert smtp_server.messages == [] and sent_at(engine)[0] is None
    held.release()
    actors.send_alert_mail.fn(first)
    actors.send_alert_mail.fn(first)
    assert len(smtp_server.messages) == 1
