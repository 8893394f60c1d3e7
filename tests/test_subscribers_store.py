"""The subscriber store on a real SQLite database: opt-in, suppression, bounces, streaming, history."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from publisher.app import Publisher
from publisher.errors import ConflictError, NotFoundError, TokenError, ValidationError
from subscribers.model import NewSubscriber
from subscribers.store import SubscriberStore


def token(app: Publisher, subscriber_id: int, purpose: str) -> str:
    subscriber = app.subscribers.get(subscriber_id)
    return app.links.url(subscriber, purpose).rpartition("/")[2]  # type: ignore[arg-type]


def test_addresses_are_unique_whatever_their_case(app: Publisher) -> None:
    added = app.subscribers.add("Li.Ming@Example.cn", "李明")
    assert added.status == "active" and added.source == "cli"
    assert app.subscribers.get_by_email("li.ming@EXAMPLE.CN").id == added.id
    with pytest.raises(ConflictError, match="already a subscriber"):
        app.subscribers.add("LI.MING@example.cn")
    with pytest.raises(NotFoundError):
        app.subscribers.get_by_email("nobody@example.cn")
    with pytest.raises(ValidationError):
        app.subscribers.add("li@example.cn", "李\r\nBcc: x@example.org")


def test_double_opt_in(app: Publisher) -> None:
    store = app.subscribers
    pending, needs = store.subscribe("new@example.cn", "王五")
    assert (pending.status, needs) == ("pending", True)
    # Asking again at once sends nothing more: a form cannot flood a mailbox.
    again, needs = store.subscribe("NEW@example.cn", "someone else")
    assert (again.id, again.name, needs) == (pending.id, "王五", False)
    with pytest.raises(TokenError):
        store.confirm(token(app, pending.id, "unsubscribe"))  # wrong purpose
    confirmed = store.confirm(token(app, pending.id, "confirm"))
    assert confirmed.status == "active" and confirmed.confirmed_at is not None
    assert store.confirm(token(app, pending.id, "confirm")).status == "active"  # idempotent
    assert store.subscribe("new@example.cn")[1] is False  # already active: nothing to send


def test_a_lost_confirmation_can_be_asked_for_again_after_a_pause(app: Publisher) -> None:
    store = SubscriberStore(app.db, app.tokens, confirm_resend_after=dt.timedelta(seconds=0.2))
    first, needs = store.subscribe("slow@example.cn")
    assert needs is True
    assert store.subscribe("slow@example.cn")[1] is False
    time.sleep(0.3)
    assert store.subscribe("slow@example.cn")[1] is True
    reasons = [e.reason for e in store.history(first.id)]
    assert reasons == ["added (form)", "confirmation requested", "confirmation requested"]


def test_people_who_left_come_back_only_through_the_confirmation_link(app: Publisher) -> None:
    store = app.subscribers
    person = store.add("back@example.cn")
    left = store.unsubscribe_by_token(token(app, person.id, "unsubscribe"))
    assert left.status == "unsubscribed" and left.unsubscribed_at is not None
    again, needs = store.subscribe("back@example.cn")
    assert (again.status, needs) == ("unsubscribed", True)
    assert store.confirm(token(app, person.id, "confirm")).status == "active"


@pytest.mark.parametrize("status", ["bounced", "complained"])
def test_bounced_and_complained_addresses_are_never_mailed_from_a_form(
    app: Publisher, status: str
) -> None:
    person = app.subscribers.add("gone@example.cn")
    app.subscribers.set_status(person.id, status, "test")  # type: ignore[arg-type]
    again, needs = app.subscribers.subscribe("gone@example.cn")
    assert (again.status, needs) == (status, False)
    assert (
        app.subscribers.unsubscribe_by_token(token(app, person.id, "unsubscribe")).status == status
    )


def subscribe_at_once(app: Publisher, email: str, requests: int = 8) -> list[tuple[int, bool]]:
    """``requests`` form posts for ``email`` at the same moment: (subscriber id, confirm?) each."""
    start = threading.Barrier(requests, timeout=60)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def subscribe() -> None:
        try:
            start.wait()
            subscriber, needs = app.subscribers.subscribe(email)
            results.append((subscriber.id, needs))
        except BaseException as e:  # reported below; a thread cannot fail the test itself
            errors.append(e)

    threads = [threading.Thread(target=subscribe) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_requests_at_the_same_moment_send_one_confirmation(app: Publisher) -> None:
    # Someone who left asks to come back, from several tabs at once.
    app.subscribers.add("back@example.cn")
    app.subscribers.remove("back@example.cn")
    answers = [needs for _, needs in subscribe_at_once(app, "back@example.cn")]
    assert sorted(answers) == [False] * 7 + [True]


def test_a_token_for_one_subscriber_never_acts_on_another(app: Publisher) -> None:
    store = app.subscribers
    victim = store.add("victim@example.cn")
    # A validly signed token carrying the victim's id but made for another address
    # (as after the database was rebuilt and ids were reused).
    stale = app.tokens.make(victim.id, "someone-else@example.cn", "unsubscribe")
    with pytest.raises(TokenError):
        store.unsubscribe_by_token(stale)
    with pytest.raises(TokenError):
        store.unsubscribe_by_token(token(app, victim.id, "unsubscribe") + "x")
    assert store.get(victim.id).status == "active"


def test_preferences_change_and_are_recorded(app: Publisher) -> None:
    store = app.subscribers
    person = store.add("prefs@example.cn")
    link = token(app, person.id, "preferences")
    assert store.by_token(link, "preferences").id == person.id
    changed = store.update_preferences(link, cadence="weekly", format="text")
    assert (changed.cadence, changed.format) == ("weekly", "text")
    with pytest.raises(ValidationError, match="cadence"):
        store.update_preferences(link, cadence="monthly")  # type: ignore[arg-type]
    with pytest.raises(TokenError):
        store.update_preferences(token(app, person.id, "unsubscribe"), cadence="issue")
    reasons = [e.reason for e in store.history(person.id)]
    assert reasons == ["added (cli)", "preferences: cadence issue → weekly, format html → text"]


def test_hard_bounces_count_up_to_the_threshold(app: Publisher) -> None:
    store = app.subscribers
    person = store.add("bouncy@example.cn")
    assert store.record_hard_bounce(person.id, 3).status == "active"
    assert store.record_hard_bounce(person.id, 3).status == "active"
    bounced = store.record_hard_bounce(person.id, 3, "550 no such user")
    assert (bounced.status, bounced.hard_bounces) == ("bounced", 3)
    assert bounced.bounced_at is not None
    history = store.history(person.id)
    assert (history[-1].old_status, history[-1].new_status) == ("active", "bounced")
    assert history[-1].reason == "550 no such user (3 of 3)"
    with pytest.raises(NotFoundError):
        store.record_hard_bounce(9999, 3)
    # Reinstated by the operator, old failures no longer count.
    assert store.set_status(person.id, "active", "mailbox fixed").hard_bounces == 0


def test_complaints_and_removal_keep_the_record(app: Publisher) -> None:
    store = app.subscribers
    a = store.add("a@example.cn")
    b = store.add("b@example.cn")
    assert store.mark_complained(a.id).complained_at is not None
    assert store.remove("B@example.cn").status == "unsubscribed"
    assert store.get(b.id).email == "b@example.cn"
    assert store.count_by_status() == {
        "pending": 0,
        "active": 0,
        "unsubscribed": 1,
        "bounced": 0,
        "complained": 1,
    }


def test_active_subscribers_stream_in_batches_by_id(app: Publisher) -> None:
    store = app.subscribers
    people = [
        NewSubscriber(f"r{i:02d}@example.cn", cadence="weekly" if i % 3 == 0 else "issue")
        for i in range(25)
    ]
    assert store.add_many(people) == ["added"] * 25
    store.remove("r05@example.cn")
    stream = store.iter_active(batch_size=4)
    first = next(stream)
    # Batches are read lazily: someone added after the stream began is still reached.
    late = store.add("late@example.cn")
    rest = list(stream)
    ids = [first.id, *(s.id for s in rest)]
    assert ids == sorted(ids) and len(ids) == 25 and ids[-1] == late.id
    assert "r05@example.cn" not in {s.email for s in rest}
    weekly = list(store.iter_active(batch_size=2, cadence="weekly"))
    assert [s.email for s in weekly] == [f"r{i:02d}@example.cn" for i in range(0, 25, 3)]
    assert len(store.list("unsubscribed")) == 1


def test_add_many_skips_known_people_and_reports_suppression(app: Publisher) -> None:
    store = app.subscribers
    store.add("known@example.cn")
    store.remove(store.add("left@example.cn").email)
    outcomes = store.add_many(
        [
            NewSubscriber("KNOWN@example.cn"),
            NewSubscriber("left@example.cn"),
            NewSubscriber("new@example.cn"),
        ]
    )
    assert outcomes == ["exists", "suppressed", "added"]
    assert store.get_by_email("left@example.cn").status == "unsubscribed"


def test_concurrent_subscriptions_of_one_address_make_one_record(app: Publisher) -> None:
    results = subscribe_at_once(app, "race@example.cn")
    # One record, and one confirmation however many asked at once.
    assert len({subscriber_id for subscriber_id, _ in results}) == 1
    assert [needs for _, needs in results].count(True) == 1
    assert app.subscribers.count_by_status()["pending"] == 1


def test_token_methods_need_a_store_built_with_tokens(app: Publisher) -> None:
    with pytest.raises(TypeError):
        SubscriberStore(app.db).confirm("anything")
