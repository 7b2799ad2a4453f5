"""What an investigator asks of the relationship graph, on small graphs built by hand with
each answer worked out in the comments: effective ownership through chains, whether the
OFAC 50% rule or the EU's ownership-or-control test reaches a company, what a person holds,
how two entities connect, who is around a target, and who near the listed nobody lists."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from belwatch.exc import NotFound
from belwatch.graph.network import Network
from belwatch.graph.queries import (
    Holding,
    holdings,
    neighbourhood,
    owners,
    shortest_path,
    unlisted,
)
from belwatch.graph.reasons import NAMED

# Every query that depends on dates is asked on a fixed day, so the tests do not age.
DAY = "2024-06-01"


def network(**listed: tuple[str, ...]) -> Network:
    """A graph whose listed nodes are added up front (captions are the ids, for ordering)."""
    graph = Network()
    for node_id, where in listed.items():
        graph.add_node(node_id, node_id, "Company", listed=where)
    return graph


def own(
    graph: Network, edge_id: str, owner: str, asset: str, share: float = math.nan, end: str = ""
) -> None:
    graph.add_edge(edge_id, "Ownership", owner, asset, share=share, end=end)


def link(
    graph: Network,
    edge_id: str,
    kind: str,
    source: str,
    target: str,
    end: str = "",
    label: str = "",
) -> None:
    graph.add_edge(edge_id, kind, source, target, label=label, end=end)


def by_id(found: list[Holding]) -> dict[str, Holding]:
    return {h.node.id: h for h in found}


# --- owners: effective percentages -----------------------------------------------------------


def test_effective_share_multiplies_along_a_chain_and_adds_over_chains() -> None:
    graph = network()
    own(graph, "p-a", "P", "A", 60)
    own(graph, "q-a", "Q", "A", 40)
    own(graph, "a-c", "A", "C", 50)
    own(graph, "p-c", "P", "C", 10)
    found = owners(graph, "C", day=DAY)
    # A: 50 directly. P: 60% x 50% through A + 10% directly = 40. Q: 40% x 50% = 20.
    assert [(h.node.id, h.share) for h in found.owners] == [("A", 50), ("P", 40), ("Q", 20)]
    held = by_id(found.owners)
    # P's shortest chain is its direct 10%, though most of its share comes through A.
    assert (held["A"].depth, held["P"].depth, held["Q"].depth) == (1, 1, 2)
    # Chains run from the company up to the owner, named by the link entities' ids.
    assert sorted(held["P"].paths) == [["a-c", "p-a"], ["p-c"]]
    assert held["Q"].paths == [["a-c", "q-a"]]
    # A has owners of its own; P and Q have none.
    assert [h.node.id for h in found.owners if h.ultimate] == ["P", "Q"]
    assert all(h.complete for h in found.owners)
    assert not found.truncated


def test_ultimate_owner_four_levels_up() -> None:
    graph = network()
    own(graph, "u-h1", "U", "H1", 100)
    own(graph, "h1-h2", "H1", "H2", 80)
    own(graph, "h2-h3", "H2", "H3", 50)
    own(graph, "h3-c", "H3", "C", 100)
    held = by_id(owners(graph, "C", day=DAY).owners)
    # H3 100; H2 50 x 100 = 50; H1 80 x 50 = 40; U 100 x 40 = 40.
    assert {k: (h.share, h.depth) for k, h in held.items()} == {
        "H3": (100, 1), "H2": (50, 2), "H1": (40, 3), "U": (40, 4),
    }  # fmt: skip
    assert held["U"].paths == [["h3-c", "h2-h3", "h1-h2", "u-h1"]]
    assert [k for k, h in held.items() if h.ultimate] == ["U"]


def test_unknown_shares_are_not_made_up() -> None:
    graph = network()
    own(graph, "p-a", "P", "A")  # the register names the owner but no percentage
    own(graph, "a-c", "A", "C", 50)
    own(graph, "p-c", "P", "C", 10)
    own(graph, "m-c", "M", "C")
    held = by_id(owners(graph, "C", day=DAY).owners)
    assert (held["A"].share, held["A"].complete) == (50, True)
    # P: 10 directly is known; what comes through A is not, so 10 is only a floor.
    assert (held["P"].share, held["P"].complete) == (10, False)
    # M: nothing known at all, which must not read as 0% (or as NaN).
    assert (held["M"].share, held["M"].complete) == (None, False)
    assert held["M"].depth == 1


def test_ended_ownership_no_longer_counts() -> None:
    graph = network(OLD=("us", "eu"))
    own(graph, "old-c", "OLD", "C", 100, end="2023-12-31")  # sold to NEW
    own(graph, "new-c", "NEW", "C", 100)
    today = owners(graph, "C", day=DAY)
    assert [h.node.id for h in today.owners] == ["NEW"]
    # A listed owner that has sold out no longer blocks the company under either rule.
    assert not today.ofac_50.applies
    assert not today.eu_control.applies
    # Asked on a day before the sale, the listed owner is back, and so are both rules.
    before = owners(graph, "C", day="2023-06-01")
    assert {h.node.id for h in before.owners} == {"OLD", "NEW"}
    assert before.ofac_50.applies and before.ofac_50.by == ["OLD"]
    assert before.eu_control.applies and before.eu_control.by == ["OLD"]


def test_owner_whose_own_owner_sold_out_is_ultimate() -> None:
    graph = network()
    own(graph, "q-p", "Q", "P", 100, end="2020-12-31")
    own(graph, "p-c", "P", "C", 100)
    found = owners(graph, "C", day=DAY).owners
    # Q is ignored as an owner of P on that day, so nobody owns P: P is at the top.
    assert [(h.node.id, h.ultimate) for h in found] == [("P", True)]


def test_cross_holdings_terminate_without_double_counting() -> None:
    graph = network()
    own(graph, "p-a", "P", "A", 100)
    own(graph, "a-b", "A", "B", 50)
    own(graph, "b-a", "B", "A", 50)
    own(graph, "a-c", "A", "C", 100)
    found = owners(graph, "C", day=DAY)
    # C <- A (100); A <- P (100) and A <- B (50); B <- A would revisit A: the chain stops.
    assert {h.node.id: (h.share, h.depth) for h in found.owners} == {
        "A": (100, 1), "P": (100, 2), "B": (50, 2),
    }  # fmt: skip
    assert [h.node.id for h in found.owners if h.ultimate] == ["P"]
    assert not found.truncated
    down = by_id(holdings(graph, "P", day=DAY).companies)
    # P -> A -> C is 100; P -> A -> B -> A would revisit A, so C is not counted twice.
    assert {k: h.share for k, h in down.items()} == {"A": 100, "C": 100, "B": 50}


def test_a_company_holding_its_own_shares_does_not_count_twice() -> None:
    graph = network()
    own(graph, "a-c", "A", "C", 100)
    own(graph, "a-a", "A", "A", 10)  # treasury shares, or two merged entries one owns
    found = owners(graph, "C", day=DAY).owners
    # A holds all of C; its holding of itself adds neither an owner nor a percentage.
    assert [(h.node.id, h.share, h.paths) for h in found] == [("A", 100, [["a-c"]])]


# --- owners: the OFAC 50% rule ---------------------------------------------------------------


def test_ofac_two_blocked_owners_of_a_quarter_each_block_the_company() -> None:
    graph = network(X=("us",), Y=("us",))
    own(graph, "x-c", "X", "C", 25)
    own(graph, "y-c", "Y", "C", 25)
    own(graph, "z-c", "Z", "C", 50)
    rule = owners(graph, "C", day=DAY).ofac_50
    # 25 + 25 = 50: the rule says 50% or more, in aggregate.
    assert rule.applies
    assert rule.by == ["X", "Y"]
    assert rule.explanation.startswith("50% owned, in aggregate")


def test_ofac_just_under_half_does_not_block() -> None:
    graph = network(X=("us",), Y=("us",))
    own(graph, "x-c", "X", "C", 25)
    own(graph, "y-c", "Y", "C", 24.9)
    own(graph, "z-c", "Z", "C", 50.1)
    rule = owners(graph, "C", day=DAY).ofac_50
    # 25 + 24.9 = 49.9 < 50.
    assert not rule.applies
    assert rule.by == []
    assert "less than 50%" in rule.explanation


def test_ofac_blocked_entity_passes_its_whole_share_down() -> None:
    graph = network(X=("us",))
    own(graph, "x-a", "X", "A", 50)
    own(graph, "a-b", "A", "B", 50)
    found = owners(graph, "B", day=DAY)
    # X holds only 25% of B effectively, but A is blocked (50% X), and A's 50% of B
    # counts whole: the rule does not multiply shares along the chain.
    assert by_id(found.owners)["X"].share == 25
    assert found.ofac_50.applies
    assert found.ofac_50.by == ["X"]
    assert found.ofac_50.explanation.startswith("50% owned")

    # A blocked entity's share adds to a listed person's own: 30 through A + 20 = 50.
    mixed = network(X=("us",), Y=("us",))
    own(mixed, "x-a", "X", "A", 50)
    own(mixed, "a-d", "A", "D", 30)
    own(mixed, "y-d", "Y", "D", 20)
    rule = owners(mixed, "D", day=DAY).ofac_50
    assert rule.applies
    assert rule.by == ["X", "Y"]


def test_ofac_an_owner_short_of_half_does_not_pass_blocking_on() -> None:
    graph = network(X=("us",))
    own(graph, "x-a", "X", "A", 49)
    own(graph, "a-b", "A", "B", 100)
    # A is not blocked (49%), so its 100% of B carries nothing.
    assert not owners(graph, "B", day=DAY).ofac_50.applies


def test_ofac_ignores_an_eu_only_listing() -> None:
    graph = network(E=("eu", "gb"))
    own(graph, "e-c", "E", "C", 100)
    found = owners(graph, "C", day=DAY)
    assert not found.ofac_50.applies
    assert found.ofac_50.by == []
    assert found.eu_control.applies  # the EU's test is the one that catches it


def test_ofac_a_company_the_united_states_lists_itself() -> None:
    graph = network(C=("us",))
    own(graph, "z-c", "Z", "C", 100)
    rule = owners(graph, "C", day=DAY).ofac_50
    assert rule.applies
    assert rule.by == ["C"]
    assert rule.explanation == "listed by the United States itself"


@pytest.mark.parametrize(
    "a_first",
    [
        pytest.param(True, id="link-from-A-added-first"),
        pytest.param(False, id="link-from-B-added-first"),
    ],
)
def test_ofac_cross_holding_does_not_hide_a_blocked_owner(a_first: bool) -> None:
    graph = network(X=("us",))
    own(graph, "b-a", "B", "A", 50)
    own(graph, "x-a", "X", "A", 50)
    own(graph, "a-b", "A", "B", 100)
    if a_first:
        own(graph, "a-s", "A", "S", 40)
        own(graph, "b-s", "B", "S", 20)
    else:
        own(graph, "b-s", "B", "S", 20)
        own(graph, "a-s", "A", "S", 40)
    # A is blocked (X 50%); B is blocked (A 100%); S: 40 from A + 20 from B = 60.
    # The order the register happened to give the links in must not change that.
    rule = owners(graph, "S", day=DAY).ofac_50
    assert rule.applies
    assert rule.by == ["X"]


# --- owners: the EU's ownership-or-control test ----------------------------------------------


def test_eu_listed_owner_over_half_directly() -> None:
    graph = network(L=("eu",))
    own(graph, "l-c", "L", "C", 50.1)
    rule = owners(graph, "C", day=DAY).eu_control
    assert rule.applies
    assert rule.by == ["L"]
    assert rule.explanation == "over 50% owned by an EU-listed person, directly"


def test_eu_exactly_half_is_not_over_half() -> None:
    graph = network(L=("eu",))
    own(graph, "l-c", "L", "C", 50)
    own(graph, "z-c", "Z", "C", 50)
    found = owners(graph, "C", day=DAY)
    assert not found.eu_control.applies
    assert found.eu_control.by == []
    # The US counts 50% as enough, the EU does not: here only the listing differs.
    graph_us = network(L=("us",))
    own(graph_us, "l-c", "L", "C", 50)
    assert owners(graph_us, "C", day=DAY).ofac_50.applies


def test_eu_chain_of_majority_holdings_is_control() -> None:
    graph = network(L=("eu",))
    own(graph, "l-a", "L", "A", 60)
    own(graph, "a-b", "A", "B", 60)
    found = owners(graph, "B", day=DAY)
    # 60% x 60% = 36% effective, yet L controls A and A controls B.
    assert by_id(found.owners)["L"].share == 36
    assert found.eu_control.applies
    assert found.eu_control.by == ["L"]
    assert found.eu_control.explanation.endswith("through a chain of majority holdings")


def test_eu_chain_broken_by_a_minority_link_is_not_control() -> None:
    graph = network(L=("eu",))
    own(graph, "l-a", "L", "A", 60)
    own(graph, "a-b", "A", "B", 50)
    assert not owners(graph, "B", day=DAY).eu_control.applies


def test_eu_listed_director_is_a_sign_of_control() -> None:
    graph = network(D=("eu",), OLD=("eu",))
    own(graph, "z-c", "Z", "C", 100)
    link(graph, "d-c", "Directorship", "D", "C")
    link(graph, "old-c", "Directorship", "OLD", "C", end="2022-01-31")  # resigned
    link(graph, "e-c", "Directorship", "E", "C")  # not listed
    rule = owners(graph, "C", day=DAY).eu_control
    assert rule.applies
    assert rule.by == ["D"]
    assert rule.explanation.startswith("directed by an EU-listed person")


def test_eu_test_ignores_a_us_only_listing() -> None:
    graph = network(X=("us",))
    own(graph, "x-c", "X", "C", 100)
    link(graph, "x-dir-c", "Directorship", "X", "C")
    found = owners(graph, "C", day=DAY)
    assert not found.eu_control.applies
    assert found.eu_control.by == []
    assert found.ofac_50.applies


def test_eu_a_company_the_eu_lists_itself() -> None:
    graph = network(C=("eu",))
    own(graph, "z-c", "Z", "C", 100)
    rule = owners(graph, "C", day=DAY).eu_control
    assert (rule.applies, rule.by, rule.explanation) == (True, ["C"], "listed by the EU itself")


# --- holdings ---------------------------------------------------------------------------------


def test_holdings_effective_shares_control_and_directorships() -> None:
    graph = network()
    own(graph, "p-a", "P", "A", 60)
    own(graph, "a-b", "A", "B", 60)
    own(graph, "a-d", "A", "D", 30)
    own(graph, "p-d", "P", "D", 10)
    own(graph, "p-e", "P", "E", 40)
    own(graph, "p-f", "P", "F", 40)
    own(graph, "f-e", "F", "E", 100)
    own(graph, "p-k", "P", "K", 100, end="2020-03-31")  # sold
    own(graph, "z-p", "Z", "P", 100)  # P's own owner is not something P holds
    link(graph, "p-dir-g", "Directorship", "P", "G")
    link(graph, "p-dir-h", "Directorship", "P", "H", end="2021-12-31")  # resigned
    found = holdings(graph, "P", day=DAY)
    # A 60; B 60 x 60 = 36; D 60 x 30 + 10 = 28; E 40 + 40 x 100 = 80; F 40.
    assert [(h.node.id, h.share) for h in found.companies] == [
        ("E", 80), ("A", 60), ("F", 40), ("B", 36), ("D", 28),
    ]  # fmt: skip
    assert {h.node.id: h.depth for h in found.companies} == {
        "E": 1, "A": 1, "F": 1, "B": 2, "D": 1,
    }  # fmt: skip
    assert sorted(by_id(found.companies)["D"].paths) == [["p-a", "a-d"], ["p-d"]]
    # A: over half. B: 36% effective but a chain of majorities (60, 60). E: 80% effective
    # though no single chain is a majority all the way. D and F: neither.
    assert found.controlled == ["E", "A", "B"]
    assert [n.id for n in found.directs] == ["G"]
    assert found.holder.id == "P"
    assert not found.truncated


# --- shortest_path ----------------------------------------------------------------------------


def test_path_takes_the_fewest_links_in_either_direction() -> None:
    graph = network()
    own(graph, "a-x", "A", "X", 30)
    own(graph, "b-x", "B", "X", 70)  # A and B are co-owners of X: two links, against the flow
    link(graph, "a-m1", "Family", "A", "M1")
    link(graph, "m1-m2", "Associate", "M1", "M2")
    link(graph, "m2-b", "Associate", "M2", "B")
    path = shortest_path(graph, "A", "B")
    assert path is not None
    assert [e.id for e in path] == ["a-x", "b-x"]
    # Each link keeps its own direction (owner -> asset), whichever way it was walked.
    assert [(e.source, e.target, e.share) for e in path] == [("A", "X", 30), ("B", "X", 70)]
    back = shortest_path(graph, "B", "A")
    assert back is not None
    assert [e.id for e in back] == ["b-x", "a-x"]


def test_path_none_beyond_max_depth_or_unreachable_and_empty_to_itself() -> None:
    graph = network()
    link(graph, "a-m1", "Family", "A", "M1")
    link(graph, "m1-m2", "Associate", "M1", "M2")
    link(graph, "m2-b", "UnknownLink", "M2", "B")
    link(graph, "c-d", "Family", "C", "D")  # a separate cluster
    assert shortest_path(graph, "A", "B", max_depth=2) is None
    path = shortest_path(graph, "A", "B", max_depth=3)
    assert path is not None
    assert [e.id for e in path] == ["a-m1", "m1-m2", "m2-b"]
    assert shortest_path(graph, "A", "D") is None
    assert shortest_path(graph, "A", "A") == []


def test_path_kinds_restrict_the_links_followed() -> None:
    graph = network()
    link(graph, "a-b", "Family", "A", "B")
    own(graph, "a-x", "A", "X", 50)
    own(graph, "b-x", "B", "X", 50)
    anyhow = shortest_path(graph, "A", "B")
    assert anyhow is not None
    assert [e.id for e in anyhow] == ["a-b"]
    owning = shortest_path(graph, "A", "B", kinds={"Ownership"})
    assert owning is not None
    assert [e.id for e in owning] == ["a-x", "b-x"]
    assert shortest_path(graph, "A", "B", kinds={"Directorship"}) is None


# --- neighbourhood ----------------------------------------------------------------------------


def around_r() -> Network:
    graph = network()
    own(graph, "r-a", "R", "A", 100)
    link(graph, "r-f", "Family", "R", "F")
    link(graph, "f-a", "Directorship", "F", "A")
    own(graph, "a-b", "A", "B", 100)
    own(graph, "b-c", "B", "C", 100)
    link(graph, "g-r", "Associate", "G", "R")
    return graph


def test_neighbourhood_depth_one_and_two() -> None:
    graph = around_r()
    near = neighbourhood(graph, "R", depth=1)
    # The root first, then its neighbours by caption; both directions count.
    assert [n.id for n in near.nodes] == ["R", "A", "F", "G"]
    # Every edge among those four, including F -> A between two neighbours, but not A -> B.
    assert sorted(e.id for e in near.edges) == ["f-a", "g-r", "r-a", "r-f"]
    assert not near.truncated
    wider = neighbourhood(graph, "R", depth=2)
    assert [n.id for n in wider.nodes] == ["R", "A", "F", "G", "B"]
    assert sorted(e.id for e in wider.edges) == ["a-b", "f-a", "g-r", "r-a", "r-f"]
    assert wider.root == "R"


def test_neighbourhood_limit_truncates() -> None:
    graph = around_r()
    cut = neighbourhood(graph, "R", depth=2, limit=3)
    assert len(cut.nodes) == 3
    assert cut.truncated
    kept = {n.id for n in cut.nodes}
    assert "R" in kept
    assert all(e.source in kept and e.target in kept for e in cut.edges)
    # Exactly as many nodes in reach as the limit is not a truncation.
    full = neighbourhood(graph, "R", depth=2, limit=5)
    assert len(full.nodes) == 5
    assert not full.truncated


def test_neighbourhood_kinds_filter() -> None:
    graph = around_r()
    family = neighbourhood(graph, "R", depth=2, kinds={"Family"})
    assert [n.id for n in family.nodes] == ["R", "F"]
    assert [e.id for e in family.edges] == ["r-f"]
    owned = neighbourhood(graph, "R", depth=3, kinds={"Ownership"})
    assert [n.id for n in owned.nodes] == ["R", "A", "B", "C"]
    # F -> A is a directorship: left out although both ends are in reach otherwise.
    assert sorted(e.id for e in owned.edges) == ["a-b", "b-c", "r-a"]


# --- unlisted ---------------------------------------------------------------------------------


def test_unlisted_ranked_by_tie_then_distance() -> None:
    graph = network(L=("eu",), M=("gb",))
    own(graph, "l-o", "L", "O", 100)
    own(graph, "o-o2", "O", "O2", 100)
    link(graph, "l-f", "Family", "L", "F")
    link(graph, "l-u", "UnknownLink", "L", "U")
    own(graph, "u-u2", "U", "U2", 100)
    own(graph, "u2-u3", "U2", "U3", 100)  # three links from L: out of reach
    own(graph, "l-m", "L", "M", 100)  # listed: never a lead
    link(graph, "l-n", "UnknownLink", "L", "N", label=NAMED)  # a newspaper the reasons quote
    found = unlisted(graph)
    # O: ownership 1.0 at 1 link; O2: 1.0 x 1.0 at 2; F: family 0.9; U: unknown link 0.6;
    # U2: 0.6 x 1.0 at 2; N: only quoted in the reasons, 0.3. Equal ties go to the nearer.
    assert [(u.node.id, u.tie, u.distance) for u in found] == [
        ("O", 1.0, 1), ("O2", 1.0, 2), ("F", 0.9, 1), ("U", 0.6, 1), ("U2", 0.6, 2),
        ("N", 0.3, 1),
    ]  # fmt: skip
    assert all(u.via == ["L"] for u in found)
    assert [u.node.id for u in unlisted(graph, limit=2)] == ["O", "O2"]


def test_unlisted_tied_to_several_targets_adds_up() -> None:
    graph = network(L=("eu",), K=("us",))
    graph.add_node("L", regimes=("belarus",))
    graph.add_node("K", regimes=("russia",))
    own(graph, "l-o", "L", "O", 100)
    link(graph, "o-z", "Associate", "O", "Z")
    link(graph, "k-z", "UnknownLink", "K", "Z")
    found = {u.node.id: u for u in unlisted(graph)}
    assert set(found) == {"O", "Z"}
    # O: 1.0 from L + 0.6 x 0.7 = 0.42 from K (through Z) = 1.42, nearest 1 link (L).
    # Z: 0.6 from K + 1.0 x 0.7 = 0.7 from L (through O) = 1.3, nearest 1 link (K).
    assert (found["O"].tie, found["O"].distance, found["O"].via) == (
        pytest.approx(1.42), 1, ["L", "K"],
    )  # fmt: skip
    # K is closer to Z than L is, so comes first although L was added first.
    assert (found["Z"].tie, found["Z"].distance, found["Z"].via) == (
        pytest.approx(1.3), 1, ["K", "L"],
    )  # fmt: skip
    assert [u.node.id for u in unlisted(graph)] == ["O", "Z"]
    # Only the target listed under the Russia regime counts: Z at 1 link (0.6), O at 2 (0.42).
    russia = unlisted(graph, regime="russia")
    assert [(u.node.id, u.tie, u.distance, u.via) for u in russia] == [
        ("Z", 0.6, 1, ["K"]), ("O", 0.42, 2, ["K"]),
    ]  # fmt: skip


def test_unlisted_around_one_target() -> None:
    graph = network(L=("eu",), K=("us",))
    own(graph, "l-o", "L", "O", 100)
    link(graph, "o-z", "Associate", "O", "Z")
    link(graph, "k-z", "UnknownLink", "K", "Z")
    assert [(u.node.id, u.tie, u.via) for u in unlisted(graph, around="K", hops=1)] == [
        ("Z", 0.6, ["K"]),
    ]
    # Around L: O at 1 link (1.0), Z at 2 (0.7); K, three links off, is listed anyway.
    around = unlisted(graph, around="L", hops=3)
    assert [(u.node.id, u.tie, u.distance) for u in around] == [("O", 1.0, 1), ("Z", 0.7, 2)]


# --- unknown ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ask",
    [
        pytest.param(lambda g: neighbourhood(g, "NOBODY"), id="neighbourhood"),
        pytest.param(lambda g: owners(g, "NOBODY", day=DAY), id="owners"),
        pytest.param(lambda g: holdings(g, "NOBODY", day=DAY), id="holdings"),
        pytest.param(lambda g: shortest_path(g, "NOBODY", "A"), id="path-from"),
        pytest.param(lambda g: shortest_path(g, "A", "NOBODY"), id="path-to"),
        pytest.param(lambda g: unlisted(g, around="NOBODY"), id="unlisted-around"),
    ],
)
def test_unknown_node_is_not_found(ask: Callable[[Network], object]) -> None:
    graph = network(A=("eu",))
    own(graph, "a-b", "A", "B", 100)
    with pytest.raises(NotFound, match="NOBODY"):
        ask(graph)


def test_links_added_after_a_query_join_the_earlier_ones() -> None:
    graph = network()
    own(graph, "p-a", "P", "A", 60)
    assert [h.node.id for h in owners(graph, "A", day=DAY).owners] == ["P"]
    own(graph, "q-a", "Q", "A", 40)
    found = {h.node.id: h.share for h in owners(graph, "A", day=DAY).owners}
    assert found == {"P": 60, "Q": 40}
