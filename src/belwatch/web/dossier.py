"""A designation dossier as a document of its own: the HTML a sanctions authority can read
in a browser, and the same page laid out as a PDF (A4, fonts with Cyrillic embedded)."""

from __future__ import annotations

from datetime import date
from typing import Any

from belwatch.exc import ConfigError
from belwatch.register.officials import Proposal
from belwatch.sources.datasets import JURISDICTIONS
from belwatch.web.pages import templates


def statement(proposal: Proposal) -> str:
    """A statement of reasons drawn from the evidence alone."""
    name = proposal.official.caption
    evidence = proposal.evidence
    courts = sorted({e.court for e in evidence if e.court})
    articles = sorted({a for e in evidence for a in e.articles})
    dates = sorted(e.date for e in evidence if e.date)
    roles = " and ".join(proposal.roles)
    cases = f"{len(evidence)} criminal case{'s' if len(evidence) != 1 else ''}"
    text = f"{name} took part, as {roles}, in {cases} recorded in the repression register"
    if courts:
        text += f", at {'; '.join(courts)}"
    if dates:
        span = f"between {dates[0]} and {dates[-1]}" if dates[0] != dates[-1] else f"on {dates[0]}"
        text += f", {span}"
    if articles:
        text += f", under {', '.join(articles)} of the Criminal Code of the Republic of Belarus"
    sentences = [e.sentence for e in evidence if e.sentence]
    if sentences:
        text += f". The sentences passed include: {'; '.join(sentences[:5])}"
    return text + "."


def context(proposal: Proposal, prepared_by: str) -> dict[str, Any]:
    sources = sorted({url for e in proposal.evidence for url in e.sources})
    return {"p": proposal, "reasons": statement(proposal), "jurisdictions": JURISDICTIONS,
            "sources": sources, "prepared_by": prepared_by,
            "prepared_on": date.today().isoformat()}  # fmt: skip


def document(proposal: Proposal, prepared_by: str) -> str:
    """The dossier as one self-contained HTML document (its style inline, no navigation)."""
    return templates.get_template("dossier_document.html").render(context(proposal, prepared_by))


def pdf(proposal: Proposal, prepared_by: str) -> bytes:
    """The dossier as a PDF, laid out by WeasyPrint."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: Pango is not installed
        hint = "install WeasyPrint's system libraries (Debian: libpango-1.0-0 libpangoft2-1.0-0)"
        raise ConfigError(f"cannot make PDFs here: {exc}; {hint}") from None
    # Nothing is fetched while laying out: the document carries everything it shows.
    data: bytes = HTML(string=document(proposal, prepared_by),
                       url_fetcher=_no_fetch).write_pdf()  # fmt: skip
    return data


def _no_fetch(url: str, *_: object, **__: object) -> dict[str, object]:
    raise ValueError(f"a dossier fetches nothing: {url}")
