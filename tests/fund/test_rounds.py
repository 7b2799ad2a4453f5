"""Rounds with forms of their own: answers the form marks as identifying nobody are kept in
clear for reviewers; all others, and every answer given without a form, are encrypted."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from belwatch.exc import ConfigError
from belwatch.fund import cases
from belwatch.fund.core import Fund, Staff
from belwatch.fund.crypto import KeyRing
from belwatch.fund.schema import case_table

BOSS, WORKER = Staff("boss", "admin"), Staff("worker", "caseworker")
REVIEWER = Staff("judge", "reviewer")


def test_a_round_form_decides_what_is_encrypted(tmp_path: Path) -> None:
    fund = Fund(f"sqlite:///{tmp_path / 'f.db'}", KeyRing.from_text(KeyRing.generate()))
    cases.add_programme(fund, BOSS, "civil", "Civil society", "civil", "EUR", 1_000_000)
    form = [cases.Question("budget_use", "What will the money pay for?", identity=False),
            cases.Question("story", "What happened to you?", required=True)]  # fmt: skip
    cases.add_round(fund, BOSS, "civil-2026", "civil", "Spring 2026", date(2026, 3, 1),
                    date(2026, 4, 30), form)  # fmt: skip
    with pytest.raises(ConfigError, match="answer the question 'story'"):
        cases.intake(fund, WORKER, "civil", {"names": ["Initiative X"]}, kind="group",
                     round_id="civil-2026", answers={"budget_use": "rent"})  # fmt: skip
    with pytest.raises(ConfigError, match="no question 'age'"):
        cases.intake(fund, WORKER, "civil", {"names": ["Initiative X"]}, kind="group",
                     round_id="civil-2026", answers={"story": "s", "age": "3"})  # fmt: skip
    answers = {"budget_use": "rent and a printer", "story": "raided twice"}
    case = cases.intake(fund, WORKER, "civil", {"names": ["Initiative X"]}, kind="group",
                        round_id="civil-2026", answers=answers)  # fmt: skip
    loose = cases.intake(fund, WORKER, "civil", {"names": ["Other"]},
                         answers={"budget_use": "no form: secret"})  # fmt: skip
    with fund.store.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(case_table.select())}
    assert "raided" not in rows[case].private and "raided" not in rows[case].answers
    assert "rent and a printer" in rows[case].answers
    assert "secret" not in rows[loose].answers
    for to in ("eligibility", "assessment", "review"):
        cases.transition(fund, WORKER, case, to)
    seen = cases.get(fund, REVIEWER, case)
    assert seen["answers"] == {"budget_use": "rent and a printer"} and "private" not in seen
    assert cases.get(fund, WORKER, case)["private"]["answers"] == {"story": "raided twice"}
    with pytest.raises(ConfigError, match="closes after it opens"):
        cases.add_round(fund, BOSS, "bad", "civil", "Bad", date(2026, 5, 1), date(2026, 4, 1),
                        [])  # fmt: skip
    fund.close()


def test_reminders_list_overdue_cases_to_those_who_see_them(tmp_path: Path) -> None:
    now = [datetime(2026, 3, 2, 9, 0)]
    fund = Fund(f"sqlite:///{tmp_path / 'f.db'}", KeyRing.from_text(KeyRing.generate()),
                clock=lambda: now[0])  # fmt: skip
    cases.add_programme(fund, BOSS, "civil", "Civil society", "civil", "EUR", 1_000_000)
    late = cases.intake(fund, WORKER, "civil", {"names": ["Late One"]})  # intake: 3 days
    now[0] += timedelta(days=2)
    fresh = cases.intake(fund, WORKER, "civil", {"names": ["Fresh One"]})
    closed = cases.intake(fund, WORKER, "civil", {"names": ["Done One"]})
    for to in ("eligibility", "declined", "closed"):
        cases.transition(fund, WORKER, closed, to)
    today = date(2026, 3, 6)
    assert [c["id"] for c in cases.overdue(fund, WORKER, today)] == [late]
    assert cases.overdue(fund, Staff("other", "caseworker"), today) == []
    assert [c["id"] for c in cases.overdue(fund, Staff("d", "director"), date(2026, 3, 9))] == [
        late, fresh,
    ]  # fmt: skip
    fund.close()
