"""Who may do what to which case: one table, consulted by every operation and tested role by
role, action by action, on cases of one's own and of others.

Need to know: identity fields (names, contacts, addresses, documents, notes, payees) are for
the caseworker the case is assigned to, and payees for finance; reviewers see applications
under review without identities; a caseworker sees only their own cases."""

from __future__ import annotations

from dataclasses import dataclass

from belwatch.exc import Forbidden
from belwatch.fund.core import Staff

# The workflow, and who moves a case from one state to the next.
STATES = ("intake", "eligibility", "assessment", "review", "decision", "disbursement",
          "followup", "closed", "declined")  # fmt: skip
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("intake", "eligibility"): frozenset({"caseworker"}),
    ("eligibility", "assessment"): frozenset({"caseworker"}),
    ("eligibility", "declined"): frozenset({"caseworker"}),
    ("assessment", "review"): frozenset({"caseworker"}),
    ("review", "decision"): frozenset({"reviewer", "director"}),
    ("decision", "disbursement"): frozenset({"director"}),
    ("decision", "declined"): frozenset({"director"}),
    ("decision", "review"): frozenset({"director"}),
    ("disbursement", "followup"): frozenset({"caseworker", "finance"}),
    ("followup", "closed"): frozenset({"caseworker"}),
    ("declined", "closed"): frozenset({"caseworker", "director"}),
}
# Where each role finds cases at all (a caseworker: only those assigned to them).
VISIBLE_STATES: dict[str, frozenset[str] | None] = {
    "admin": None,  # every state, no identities
    "director": None,
    "caseworker": None,  # own cases only
    "reviewer": frozenset({"review", "decision"}),
    "finance": frozenset({"disbursement", "followup", "closed"}),
}
RELOCATION_STEPS = ("verification", "visa_letter", "travel", "housing", "stipend", "done")


@dataclass(frozen=True)
class CaseScope:
    """What the policy needs to know of a case."""

    state: str
    assignee: str | None


def own(who: Staff, case: CaseScope) -> bool:
    return who.role == "caseworker" and case.assignee == who.name


def sees(who: Staff, case: CaseScope) -> bool:
    """May `who` know the case exists at all?"""
    if who.role == "caseworker":
        return own(who, case)
    states = VISIBLE_STATES[who.role]
    return states is None or case.state in states


def identity(who: Staff, case: CaseScope) -> bool:
    """May `who` read the applicant's identity and the case's private notes?"""
    return own(who, case)


ACTIONS: dict[str, frozenset[str]] = {
    "case.create": frozenset({"caseworker"}),
    "case.assign": frozenset({"admin", "director"}),
    "case.review": frozenset({"reviewer"}),
    "case.note": frozenset({"caseworker"}),
    "case.screen": frozenset({"caseworker"}),
    "case.link": frozenset({"caseworker"}),
    "case.duplicates": frozenset({"caseworker"}),
    "case.step": frozenset({"caseworker"}),
    "case.export": frozenset({"caseworker"}),
    "disbursement.propose": frozenset({"finance"}),
    "disbursement.decide": frozenset({"finance", "director"}),
    "disbursement.pay": frozenset({"finance"}),
    "programme.manage": frozenset({"admin"}),
    "staff.manage": frozenset({"admin"}),
    "ledger.read": frozenset({"admin"}),
    "report.read": frozenset({"admin", "director", "finance"}),
}
# Actions a caseworker takes on their own cases only.
OWN_ONLY = frozenset({"case.note", "case.screen", "case.link", "case.duplicates", "case.step",
                      "case.export"})  # fmt: skip


def check(who: Staff, action: str, case: CaseScope | None = None) -> None:
    """Raise Forbidden unless `who` may take `action` (on `case`)."""
    if who.role not in ACTIONS.get(action, frozenset()):
        raise Forbidden(f"a {who.role} may not {action.replace('.', ': ')}")
    if case is None:
        return
    if not sees(who, case):
        raise Forbidden("no such case among yours")
    if action in OWN_ONLY and not own(who, case):
        raise Forbidden("only the caseworker the case is assigned to may do that")
    if action == "case.review" and case.state != "review":
        raise Forbidden("cases are reviewed in the review state")


def check_transition(who: Staff, case: CaseScope, to: str) -> None:
    roles = TRANSITIONS.get((case.state, to))
    if roles is None:
        raise Forbidden(f"a case goes from {case.state} to "
                        f"{', '.join(b for a, b in TRANSITIONS if a == case.state) or 'nowhere'}"
                        f", not to {to}")  # fmt: skip
    if who.role not in roles or not sees(who, case):
        raise Forbidden(f"a {who.role} may not move a case from {case.state} to {to}")
    if who.role == "caseworker" and not own(who, case):
        raise Forbidden("only the caseworker the case is assigned to may move it")
