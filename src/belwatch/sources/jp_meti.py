"""Japan's Belarus end-user list (export ban under MOFA Notice No. 104 of 2022), from the text
of METI's PDF: a Japanese header with the designation date (指定日) and last update (最終更新日),
then numbered entries, each a Japanese name with 別称 aliases, an English name with "a.k.a."
aliases as a dash list, and 所在地 (addresses joined by "; and").

The PDF text is messy: an entry number or 所在地 can follow the previous text on the same line
("...Belarus７ 株式会社..."), and names wrap. Entries are found by their numbers in sequence.
The entry number is the list's own key (ids follow it); the list prints no per-entry dates, so
every entry takes the header's 指定日 as its listing date.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from datetime import date

from followthemoney import EntityProxy

from belwatch.sources.base import Context, ParseResult, SourceFile, SourceFormat, decode

DATASET = "jp_mof_sanctions"
# The header's "(export ban) ... organisations of the Republic of Belarus subject to it".
TITLE = "の対象となるベラルーシ共和国の団体"
PROGRAM = "Export ban: Belarus end-user list"

_KANA_KANJI = "\u3040-\u30ff\u4e00-\u9fff"
_HAS_JAPANESE = re.compile(f"[\u3000-\u303f{_KANA_KANJI}\uff00-\uffef]")
# An entry number (ASCII or full-width) at a line start or glued to the previous address,
# followed by a Japanese name on the same line.
_ENTRY = re.compile(
    rf"(?:^|(?<=[^\d\s.,/]))([0-9０-９]{{1,3}})[ \u3000]+(?=[^\n]*[{_KANA_KANJI}])", re.M
)
_HEADER_DATE = r"{label}\s*[：:]\s*(\d{{4}})\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日"
_NOTICE = re.compile(r"令和(.+?)年外務省告示第(.+?)号")
_AKA = re.compile(r",?\s*a\.k\.a\.,?\s*(?:the\s+following\s+(\w+)\s+alias(?:es)?:)?", re.I)
_COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"元": 1}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}


def sniff(data: bytes) -> bool:
    head = data[:2048].decode("utf-8", "ignore")
    return TITLE in head and "指定日" in head


def parse(file: SourceFile, lenient: bool = False) -> ParseResult:
    ctx = Context(DATASET, file, FORMAT.name)
    text = decode(file.data, file.name).replace("\r\n", "\n")
    designated = _header_date(ctx, text, "指定日", lenient)
    published = _header_date(ctx, text, "最終更新日", lenient)
    program = _program(text)
    for number, block in _entries(ctx, text, lenient):
        with ctx.entry(f"entry {number}", lenient, skipped="{error}; entry skipped"):
            ctx.entities.extend(_entry(ctx, number, block, program, designated))
    return ctx.result(published=published)


def _entries(ctx: Context, text: str, lenient: bool) -> list[tuple[int, str]]:
    """The numbered entries in order; a number out of sequence is text, a gap an error."""
    starts: list[tuple[int, int, int]] = []  # number, start of marker, start of content
    for match in _ENTRY.finditer(text):
        number = int(unicodedata.normalize("NFKC", match.group(1)))
        expected = starts[-1][0] + 1 if starts else 1
        at_line_start = match.start() == 0 or text[match.start() - 1] == "\n"
        if number != expected and not (number > expected and at_line_start):
            continue  # a number inside a name ("株式会社第140 修理工場") or an address
        if number > expected:
            gap = f"{expected}" if number == expected + 1 else f"{expected}-{number - 1}"
            error = ctx.error(f"entry {gap} missing before this one", record=f"entry {number}")
            if not lenient:
                raise error
            ctx.warn(str(error))
        starts.append((number, match.start(), match.end()))
    if not starts:
        raise ctx.error("no numbered entries found")
    ends = [start for _, start, _ in starts[1:]] + [len(text)]
    return [(number, text[body:end]) for (number, _, body), end in zip(starts, ends, strict=True)]


def _entry(
    ctx: Context, number: int, block: str, program: str, listed: date | None
) -> list[EntityProxy]:
    names, sep, address = block.partition("所在地")
    if not sep:
        raise ctx.error("no 所在地 (address): truncated entry?", field="所在地")
    lines = [line.strip() for line in names.strip().split("\n") if line.strip()]
    leading = list(itertools.takewhile(_HAS_JAPANESE.search, lines))
    # Japanese wraps anywhere, but a break after a Latin word ate a space ("株式会社 KB\nレーダー").
    japanese = re.sub(r"(?<=[A-Za-z0-9])\n", " ", "\n".join(leading)).replace("\n", "")
    english = lines[len(leading) :]
    if not english:
        raise ctx.error("no English name", field="name")
    entity = ctx.make("Organization", "entry", number)
    _japanese_names(ctx, entity, japanese)
    _english_names(ctx, entity, english)
    ctx.add(entity, "country", "Belarus")  # the header: "organisations of the Republic of Belarus"
    for item in re.split(r";\s*and\s+", " ".join(address.lstrip("：: ").split())):
        ctx.add(entity, "address", item.strip().rstrip("."), field="所在地")
        ctx.add(entity, "country", item.rsplit(",", 1)[-1].strip(), field="所在地")
    sanction = ctx.sanction(entity, program=program, listing_date=listed, authority_id=str(number))
    return [entity, sanction]


def _japanese_names(ctx: Context, entity: EntityProxy, text: str) -> None:
    """The name, then 別称 (aliases) in a parenthesis: 株式会社インテグラル（別称、OAO…、…）.
    Any other parenthesis describes the entity (entry 1: 国防省（…を含む。）。これには…)."""
    name, paren, rest = text.partition("（")
    ctx.add(entity, "name", name.strip(), field="name")
    if paren and rest.startswith("別称、"):
        aliases = rest.removeprefix("別称、").rsplit("）", 1)[0]
        ctx.add(entity, "alias", [a.strip() for a in aliases.split("、")], field="別称")
    elif paren:
        ctx.add(entity, "notes", text, field="name")


def _english_names(ctx: Context, entity: EntityProxy, lines: list[str]) -> None:
    head = list(itertools.takewhile(lambda line: not line.startswith("- "), lines))
    items: list[str] = []
    for line in lines[len(head) :]:
        if line.startswith("- "):
            items.append(line[2:])
        elif items:
            items[-1] += " " + line
    name, aka, stated = _split_aka(" ".join(head))
    # Entry 1 is a description ("The Ministry of Defence ..., including the Armed Forces ...").
    short, including, _ = name.partition(", including ")
    ctx.add(entity, "name", short, field="name")
    ctx.add(entity, "notes", name if including else None, field="name")
    aliases = [re.sub(r"(;\s*and|;|\.)$", "", item.strip()).strip() for item in items]
    if aka and stated is not None and stated != len(aliases):
        raise ctx.error(
            f"the entry announces {stated} aliases but lists {len(aliases)}", field="a.k.a."
        )
    ctx.add(entity, "alias", aliases, field="a.k.a.")


def _split_aka(text: str) -> tuple[str, bool, int | None]:
    match = _AKA.search(text)
    if match is None:
        return text.strip(), False, None
    stated = _COUNTS.get((match.group(1) or "").lower())
    return text[: match.start()].strip(), True, stated


def _header_date(ctx: Context, text: str, label: str, lenient: bool) -> date | None:
    match = re.search(_HEADER_DATE.format(label=label), text[:2048])
    if match is None:
        error = ctx.error(f"the header gives no {label} date", field=label, record="header")
        if not lenient:
            raise error
        ctx.warn(str(error))
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise ctx.error(f"{label} is not a date: {exc}", field=label, record="header") from None


def _program(text: str) -> str:
    """The programme with its notice, read from the header (令和四年外務省告示第百四号)."""
    match = _NOTICE.search(text[:2048])
    if match is None:
        return PROGRAM
    year, number = (_kanji_number(part) for part in match.groups())
    return f"{PROGRAM} (MOFA Notice No. {number} of {2018 + year})"


def _kanji_number(text: str) -> int:
    text = unicodedata.normalize("NFKC", text)
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in _KANJI_UNITS:
            total += (digit or 1) * _KANJI_UNITS[char]
            digit = 0
        else:
            digit = _KANJI_DIGITS.get(char, 0)
    return total + digit


FORMAT = SourceFormat(
    name="jp_meti",
    dataset=DATASET,
    title="Japan METI Belarus end-user list (text of the PDF)",
    sniff=sniff,
    parse=parse,
)
