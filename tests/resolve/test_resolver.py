"""Cross-list resolution on real lists: one target's entries form one group, a person's
judgement outlives every re-run, and the unsure pairs wait in a review queue."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from belwatch.cli import cli
from belwatch.match.service import Matcher
from belwatch.resolve import Resolution, load_resolution, resolve
from belwatch.resolve.decisions import NOT_SAME, SAME, effective, history, record
from belwatch.resolve.review import queue
from belwatch.sources.base import make_id
from belwatch.store import Store

LUKASHENKA = make_id("us_ofac_sdn", "9760")


@pytest.fixture(scope="module")
def register(real_store_copy: Store) -> Store:
    return real_store_copy  # these tests write judgements


@pytest.fixture(scope="module")
def matcher(register: Store) -> Matcher:
    return Matcher(register)


@pytest.fixture(scope="module")
def resolved(register: Store, matcher: Matcher) -> tuple[Resolution, dict[str, int]]:
    return resolve(register, matcher, workers=2)


def datasets_of(matcher: Matcher, ids: list[str]) -> list[str]:
    return sorted(matcher.profiles[entity_id].dataset for entity_id in ids)


def test_one_target_on_every_list_is_one_group(
    register: Store, matcher: Matcher, resolved: tuple[Resolution, dict[str, int]]
) -> None:
    resolution, counts = resolved
    group = resolution.members(LUKASHENKA)
    assert datasets_of(matcher, group) == [
        "ca_dfatd_sema_sanctions", "eu_journal_sanctions", "gb_hmt_sanctions", "us_ofac_sdn",
    ]  # fmt: skip
    assert all("LUKASHENK" in matcher.profiles[e].entity.caption.upper() for e in group)
    assert counts["groups"] > 500 and counts["unsure"] > 0
    # Two entries of one list share a group only where that list holds the target twice.
    twice = {d.pair for d in effective(register).values() if d.reason.startswith("listed twice")}
    for members in resolution.groups.values():
        lists = datasets_of(matcher, members)
        if len(lists) != len(set(lists)):
            assert any((a, b) in twice for a in members for b in members), members
    # Loading the stored judgements gives the same grouping without judging anew.
    assert load_resolution(register, matcher).groups == resolution.groups


def test_a_persons_judgement_outlives_a_rerun(
    register: Store, matcher: Matcher, resolved: tuple[Resolution, dict[str, int]]
) -> None:
    resolution, _ = resolved
    eu_entry = next(
        e for e in resolution.members(LUKASHENKA)
        if matcher.profiles[e].dataset == "eu_journal_sanctions"
    )  # fmt: skip
    record(register, LUKASHENKA, eu_entry, NOT_SAME, "analyst", "testing a split")
    resolution, _ = resolve(register, matcher, workers=2)
    assert resolution.canonical(LUKASHENKA) != resolution.canonical(eu_entry)
    assert effective(register)[min(LUKASHENKA, eu_entry), max(LUKASHENKA, eu_entry)].judgement == (
        NOT_SAME
    )
    record(register, LUKASHENKA, eu_entry, SAME, "senior analyst")
    resolution, _ = resolve(register, matcher, workers=2)
    assert resolution.canonical(LUKASHENKA) == resolution.canonical(eu_entry)
    sources = [d.source for d in history(register, LUKASHENKA, eu_entry)]
    assert sorted(sources) == ["auto", "user", "user"]  # the automatic one renewed each run


def test_review_queue_shows_both_sides(
    register: Store, resolved: tuple[Resolution, dict[str, int]]
) -> None:
    total, items = queue(register, limit=5)
    assert total > 0 and len(items) == 5
    scores = [item.decision.score or 0 for item in items]
    assert scores == sorted(scores, reverse=True)
    for item in items:
        assert item.left.dataset != item.right.dataset
        assert "Name" in item.left.facts and "Name" in item.right.facts
        assert "name_match" in item.decision.reason


def test_cli_resolve_review_decide(register: Store) -> None:
    runner = CliRunner()
    db = ["--db", register.url]
    done = runner.invoke(cli, ["resolve", "--workers", "2", *db], obj={}, env={})
    assert done.exit_code == 0, done.output
    assert "pairs judged the same" in done.output
    listed = runner.invoke(cli, ["review", "--json", "--limit", "2", *db], obj={}, env={})
    assert listed.exit_code == 0, listed.output
    item = json.loads(listed.output)["items"][0]
    left, right = item["left"]["entity_id"], item["right"]["entity_id"]
    decided = runner.invoke(cli, ["decide", left, right, "not_same", "--by", "me", *db],
                            obj={}, env={})  # fmt: skip
    assert decided.exit_code == 0, decided.output
    after = runner.invoke(cli, ["review", "--json", "--limit", "1000", *db], obj={}, env={})
    pairs = {
        (i["left"]["entity_id"], i["right"]["entity_id"]) for i in json.loads(after.output)["items"]
    }
    assert (left, right) not in pairs
    unknown = runner.invoke(
        cli, ["decide", left, "nope", "same", "--by", "me", *db], obj={}, env={}
    )
    assert unknown.exit_code == 1 and "no entity 'nope'" in unknown.output
    nobody = runner.invoke(cli, ["decide", left, right, "same", "--by", " ", *db], obj={}, env={})
    assert nobody.exit_code == 1 and "who decides" in nobody.output


def test_full_names_with_a_conflict_wait_for_review(
    register: Store, resolved: tuple[Resolution, dict[str, int]]
) -> None:
    # OFAC has Viktar Lukashenka born 1976, the EU 28 Nov 1975: a person must judge.
    _, items = queue(register, limit=5000)
    pairs = [
        item for item in items
        if {item.left.dataset, item.right.dataset} == {"us_ofac_sdn", "eu_journal_sanctions"}
        and "VIKTAR" in item.left.caption.upper() and "LUKASHENKA" in item.right.caption.upper()
    ]  # fmt: skip
    assert pairs and "dob_conflict" in pairs[0].decision.reason


def test_cli_lead(register: Store) -> None:
    from belwatch.resolve.decisions import NOT_RELEVANT, lead_judgements

    target = make_id("us_ofac_sdn", "9760")
    db = ["--db", register.url]
    runner = CliRunner()
    args = ["lead", target, "Voldarka", "not_relevant", "--by", "A. Analyst", *db]
    done = runner.invoke(cli, args, obj={}, env={})
    assert done.exit_code == 0, done.output
    assert lead_judgements(register)[target, "Voldarka"] == NOT_RELEVANT
    args[1] = "nope"
    unknown = runner.invoke(cli, args, obj={}, env={})
    assert unknown.exit_code == 1 and "no entity 'nope'" in unknown.output
