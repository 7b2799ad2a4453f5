"""The repression register, published figures, accounts, sessions and lock-outs on SQLite
and on PostgreSQL alike: the same writes, the same refusals, the same answers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from followthemoney import model

from belwatch import accounts, audit, sessions
from belwatch.exc import Conflict, NotFound
from belwatch.register import figures, importer
from belwatch.register.records import Actor, Change, Repression, Source
from belwatch.store import Store

CASES = Path(__file__).parent / "fixtures" / "cases_ru.csv"
EDITOR, VIEWER, ADMIN = Actor("E", "editor"), Actor("V", "viewer"), Actor("A", "admin")


def test_records_versions_and_visibility(store: Store) -> None:
    repository = Repression(store)
    counts = repository.write(EDITOR, importer.read(CASES, EDITOR.name).changes)
    assert counts["created"] > 0 and counts["updated"] == 0
    again = repository.write(EDITOR, importer.read(CASES, EDITOR.name).changes)
    assert again["created"] == 0 and again["updated"] == 0
    everyone = {r.caption for r in repository.records(ADMIN, "Person")}
    public = {r.caption for r in repository.records(VIEWER, "Person")}
    assert "Кузнецов Игорь Павлович" in everyone - public  # consent refused: restricted
    person = next(r for r in repository.records(VIEWER, "Person"))
    entity = person.entity()
    entity.add("notes", "Released early")
    repository.write(EDITOR, [Change(entity, person.visibility, person.consent,
                                     [Source(url="https://example.org/x")],
                                     expected_version=person.version)])  # fmt: skip
    assert repository.get(VIEWER, person.id).version == person.version + 1
    with pytest.raises(Conflict):
        repository.write(EDITOR, [Change(entity, expected_version=person.version)])
    history = repository.history(ADMIN, person.id)
    assert [h["version"] for h in history] == [1, 2]
    assert history[1]["sources"] == [{"url": "https://example.org/x", "document": "",
                                      "date": ""}]  # fmt: skip
    restricted = next(r for r in repository.records(ADMIN, "Person")
                      if r.caption == "Кузнецов Игорь Павлович")  # fmt: skip
    with pytest.raises(NotFound):
        repository.get(VIEWER, restricted.id)
    stamp = repository.stamp()
    organisation = model.make_entity("Organization")
    organisation.id = "rr-org-test"
    organisation.add("name", "Test NGO")
    repository.write(EDITOR, [Change(organisation)])
    assert repository.stamp() != stamp


def test_published_figures(store: Store) -> None:
    shipped = figures.read(figures.SEED)
    figures.save(Repression(store), EDITOR, shipped)
    figures.save(Repression(store), EDITOR, shipped)  # again: replaced, not doubled
    assert sorted(figures.figures(store), key=repr) == sorted(shipped, key=repr)


def test_accounts_sessions_and_locks(store: Store) -> None:
    accounts.add(store, "S. Staff", "a staff member's pass", "editor")
    now = audit.utcnow()
    actor = accounts.sign_in(store, "S. Staff", "a staff member's pass", "addr", now)
    assert actor == Actor("S. Staff", "editor")
    token = sessions.start(store, actor, "test agent", now)
    assert sessions.find(store, token, now + timedelta(minutes=5)) == actor
    assert sessions.find(store, token, now + timedelta(minutes=50)) is None  # idle
    token = sessions.start(store, actor, "", now)
    accounts.change(store, "S. Staff", disabled=True)
    assert sessions.find(store, token, now) is None
    accounts.change(store, "S. Staff", disabled=False)
    assert sessions.find(store, token, now) is None  # ended for good, not just hidden
    for _ in range(5):
        assert accounts.sign_in(store, "S. Staff", "not the password", "addr", now) is None
    assert accounts.sign_in(store, "S. Staff", "a staff member's pass", "addr", now) is None
    later = now + timedelta(minutes=16)
    assert accounts.sign_in(store, "S. Staff", "a staff member's pass", "addr", later) == actor
    actions = [entry.action for entry in audit.trail(store, limit=100)]
    assert {"sign-in", "sign-in-failed", "locked", "session-ended"} <= set(actions)
