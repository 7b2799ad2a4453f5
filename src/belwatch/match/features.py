"""Pure comparison features: each takes the query and a candidate entity and returns a value
in [0, 1] with a sentence a compliance officer can read."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from followthemoney import EntityProxy
from followthemoney.types import registry
from rapidfuzz.fuzz import ratio

from belwatch.match.index import token_key
from belwatch.match.names.keys import name_tokens


def _keys(text: str) -> frozenset[str]:
    return frozenset(key for word in text.split() if (key := token_key(word)))


# Legal forms and the words they are spelled out with, in Belarusian, Russian, Ukrainian and
# English: they say what kind of body it is, not which one. Compared by key, so a
# transliterated or mixed-script form is one too.
LEGAL_FORMS = _keys(
    """
    oao ooo zao pao ao jsc ojsc cjsc pjsc llc ltd limited co inc corp plc gmbh ag sa ue rue
    up rup uue chup tdo odo aat taa zat ztaa iooo ppup оао ооо зао пао ао ааат аат таа зат
    зтаа иооо уп руп чуп чтуп рвуп рпуп тдо одо open closed joint stock company liability
    unitary enterprise republican private public открытое закрытое публичное акционерное
    общество ограниченной ответственностью унитарное предприятие республиканское частное
    адкрытае закрытае акцыянернае таварыства абмежаванай адказнасцю унітарнае прадпрыемства
    рэспубліканскае прыватнае товариство обмеженою відповідальністю унітарне підприємство
    компания кампанія кампанiя компанія
    """
)
# Words many listed bodies share, in any language: each line one meaning. They may support a
# match, never carry one, and a translated one meets its original (State Production
# Association / Дзяржаўнае вытворчае аб'яднанне).
GENERIC_MEANINGS = """
    bank банк
    group группа група групп
    holding holdings холдинг холдинга холдынг холдынгу
    trading trade торговый гандлёвы
    plant factory works завод фабрика фабрыка
    management managing управляющая управление кіруючая кiруючая
    national национальная нацыянальная
    state государственное государственный государственная дзяржаўнае дзяржаўны державне
    belarus беларусь
    belarusian byelorussian белорусский белорусская беларускі беларуская
    minsk минск мінск минский мiнскi
    republic республики рэспублікі
    of the a
    and и і i та
    for по па для
    oil нефти нафты нафце
    chemistry химии хіміі хімії
    named after имени імя
    production производственное вытворчае виробниче
    association объединение аб'яднанне
    scientific научно научное навукова навуковае науково
    research исследовательское даследчае
    institute институт інстытут
    centre center центр цэнтр
    concern концерн канцэрн
    hotel отель гостиница гатэль гасцініца
    subsidiary дочернее даччынае
    foreign внешнеторговое знешнегандлёвае
    joint venture совместное сумеснае
    oil нефтяная нафтавая
"""
GENERIC = {
    key: line.split()[0] for line in GENERIC_MEANINGS.strip().splitlines()
    for key in _keys(line)
}  # fmt: skip
UNMATCHED_GENERIC = 0.25  # what a generic word one name has and the other lacks costs
PATRONYMIC = re.compile(r"(vich|vna|ich|ichna|ovna|avna)$")
ID_PROPS = ("passportNumber", "idNumber", "registrationNumber", "innCode", "taxNumber",
            "ogrnCode", "okpoCode", "imoNumber", "swiftBic", "leiCode", "vatCode")  # fmt: skip


@dataclass(frozen=True)
class Feature:
    value: float
    detail: str


@lru_cache(maxsize=200_000)
def _tokens(name: str, organisation: bool) -> tuple[tuple[str, bool], ...]:
    """(key, generic?) for the tokens of a name. For organisations legal forms are dropped
    and a generic word stands for its meaning ("=state"), whatever its language."""
    found = []
    for token in name_tokens(name):
        key = token_key(token)
        if organisation and key in LEGAL_FORMS:
            continue
        if organisation and key in GENERIC:
            found.append(("=" + GENERIC[key], True))
        elif len(key) > 1:
            found.append((key, False))
    return tuple(found)


@lru_cache(maxsize=200_000)
def _similar(a: str, b: str) -> float:
    if a == b:
        return 1.0
    # Only near-identical long tokens (a typo), never a short name inside a longer one
    # (Zhuk / Zhukau); the first letter must agree (Nazarov / Azarov are two names) except for
    # the h or v Belarusian puts before a word (Ryhoravich / Hryhorovich).
    if min(len(a), len(b)) < 5:
        return 0.0
    if a[0] != b[0]:
        long, short = (a, b) if len(a) > len(b) else (b, a)
        if long[0] not in "hv" or long[1] != short[0]:
            return 0.0
    return ratio(a, b, score_cutoff=88.0) / 100.0


Tokens = tuple[tuple[str, bool], ...]


@lru_cache(maxsize=100_000)
def _forms(names: tuple[str, ...], organisation: bool) -> tuple[tuple[str, Tokens], ...]:
    """The distinct token sequences of some names and their variants, each with the first
    spelling that gave it: names that differ only in spelling or script are compared once."""
    found: dict[Tokens, str] = {}
    for name in sorted(names):  # in one order whatever order a set gave them
        for variant in variants(name):
            tokens = _tokens(variant, organisation)
            if tokens and tokens not in found:
                found[tokens] = variant
    return tuple((variant, tokens) for tokens, variant in found.items())


def _name_pair(q: Tokens, c: Tokens, organisation: bool) -> float:
    used: set[int] = set()
    matched = total = 0.0
    distinctive = False
    missing: list[str] = []
    for key, generic in q:
        best, where = 0.0, -1
        for index, (other, _) in enumerate(c):
            if index not in used and (score := _similar(key, other)) > best:
                best, where = score, index
        if where >= 0:
            used.add(where)
            weight = 0.5 if generic else 1.0
            matched += weight * best
            total += weight
            distinctive = distinctive or not generic
        else:
            total += UNMATCHED_GENERIC if generic else 1.0
            missing.append(key)
    # A patronymic one name has and the other leaves out costs nothing (Aliaksandr
    # Lukashenka vs Aliaksandr Ryhoravich LUKASHENKA); two different ones are a conflict, and
    # other extra tokens count against the match. Only a three-part name whose other two
    # parts were found has a patronymic to forgive: in "Michail NEJMOVICH" the -vich word is
    # the surname.
    extra = [(k, generic) for i, (k, generic) in enumerate(c) if i not in used]
    total += sum(UNMATCHED_GENERIC if generic else 1.0 for _, generic in extra)
    if not organisation and len(used) >= 2:
        theirs = len(c) >= 3 and any(PATRONYMIC.search(k) for k, _ in extra)
        ours = len(q) >= 3 and any(PATRONYMIC.search(k) for k in missing)
        if theirs != ours:
            total -= 1.0
    score = matched / total
    # Generic words alone never make a match (Minsk Automobile Plant / Minsk Tractor Plant),
    # unless generic words are all either name has (Belarusian Oil Company).
    if distinctive or all(generic for _, generic in (*q, *c)):
        return score
    return score * 0.5


@lru_cache(maxsize=200_000)
def variants(name: str) -> tuple[str, ...]:
    """A name and the alternatives the lists print inside it: "Viktar SHEIMAN (SHEYMAN)" is
    also "Viktar SHEYMAN", "VARABEI/VERABEI" two spellings. What stands in brackets alone
    ("IRGC", "HK") is a name only if the lists gave it more than one word or it is an
    acronym of the rest."""
    found = [name]
    outside = re.sub(r"\s*\([^)]*\)", "", name).strip()
    if outside and outside != name:
        found.append(outside)
        for match in re.finditer(r"(\S+)\s*\(([^)]*)\)", name):
            for alternative in (p.strip() for p in match.group(2).split(",")):
                if not alternative:
                    continue
                if _respelling(alternative, match.group(1)):
                    found.append(name[: match.start(1)] + alternative + name[match.end() :])
                elif len(alternative.split()) > 1 or _acronym(alternative, outside):
                    found.append(alternative)
            found[-1] = re.sub(r"\s*\([^)]*\)", "", found[-1]).strip()
    # Whole names side by side: "Sohra Group / Sohra LLC"
    parts = [part.strip() for part in re.split(r"\s+/\s+", outside or name)]
    whole = len(parts) > 1 and all(" " in part for part in parts)
    if whole:
        found.extend(parts)
    # A short name and what it stands for: "Belneftekhim – Belarusian State Concern for Oil"
    found.extend(part.strip() for part in re.split(r"\s+[-–—]\s+", outside or name)[:2]
                 if re.search(r"\s[-–—]\s", name))  # fmt: skip
    # A respelled last word after a comma: "СIВАКАЎ, СIВАКОЎ"
    if tail := re.match(r"(.*\s)(\S+),\s*(\S+)$", outside or name):
        head, word, other = tail.groups()
        if _respelling(other, word):
            found.extend((head + word, head + other))
    for value in list(found):
        if "/" in value and not (whole and re.search(r"\s/\s", value)):
            found.append(re.sub(r"(\S+)\s*/\s*\S+", r"\1", value))
            found.append(re.sub(r"\S+\s*/\s*(\S+)", r"\1", value))
    return tuple(dict.fromkeys(v for v in found if v))


def _respelling(alternative: str, word: str) -> bool:
    """SHEYMAN for SHEIMAN: one word, same initial, about the same length."""
    a, b = alternative.casefold(), word.casefold()
    return " " not in a and a[:1] == b[:1] and abs(len(a) - len(b)) <= 3


def _acronym(short: str, name: str) -> bool:
    """Does ``short`` abbreviate ``name``: its words' initials (IRGC), or one long
    capitalised word after a name of three words or more (GOSNIIOKHT)?"""
    letters = re.sub(r"[^\w]", "", short)
    words = re.findall(r"\w+", name.casefold())
    initials = "".join(word[0] for word in words)
    if len(letters) >= 2 and letters.casefold() in initials:
        return True
    return letters.isupper() and len(letters) >= 5 and len(words) >= 3


def best_names(query: EntityProxy, candidate: EntityProxy) -> tuple[float, str, str, int]:
    """The best-agreeing query and candidate names, their agreement, and how many tokens
    the query name has."""
    organisation = not query.schema.is_a("Person")
    best, pair, size = 0.0, ("", ""), 0
    queries = _forms(tuple(query.get_type_values(registry.name)), organisation)
    candidates = _forms(tuple(candidate.get_type_values(registry.name)), organisation)
    for q, q_tokens in queries:
        for c, c_tokens in candidates:
            score = _name_pair(q_tokens, c_tokens, organisation)
            if score > best:
                best, pair, size = score, (q, c), len(q_tokens)
    return best, pair[0], pair[1], size


def name_match(query: EntityProxy, candidate: EntityProxy) -> Feature:
    """The best agreement between any query name and any candidate name, spelling and script
    aside: share of the query's name tokens found in the candidate's."""
    best, *pair, _ = best_names(query, candidate)
    return Feature(best, f"“{pair[0]}” ~ “{pair[1]}”" if best else "no name in common")


def name_forms(names: Iterable[str], organisation: bool) -> tuple[tuple[str, Tokens], ...]:
    """Distinct names as compared: (a spelling, its token keys)."""
    return _forms(tuple(names), organisation)


def name_keys_of(entity: EntityProxy, organisation: bool) -> frozenset[str]:
    """Every token key name_match could compare in an entity's names."""
    forms = _forms(tuple(entity.get_type_values(registry.name)), organisation)
    return frozenset(key for _, tokens in forms for key, _ in tokens)


def _near(key: str, keys: frozenset[str]) -> bool:
    """Is some key a typo away (see _similar)? Lengths too far apart are skipped unscored."""
    size = len(key)
    if size < 5:
        return False
    for other in keys:
        if 2 * min(size, len(other)) >= 0.88 * (size + len(other)) and _similar(key, other):
            return True
    return False


def name_match_bound(query_names: Iterable[str], organisation: bool, keys: frozenset[str]) -> float:
    """The most name_match could give a candidate whose names have these token keys, found
    without pairing names: each query token that has an equal or near key among them counts
    as found, generic words always."""
    best = 0.0
    for _, tokens in _forms(tuple(query_names), organisation):
        found = total = 0.0
        forgiven = False
        for key, generic in tokens:
            weight = 0.5 if generic else 1.0
            if generic or key in keys or _near(key, keys):
                found += weight
            elif not forgiven and not organisation and len(tokens) >= 3:
                forgiven = bool(PATRONYMIC.search(key))  # may cost nothing (_name_pair)
                weight = 0.0 if forgiven else weight
            total += weight
        if total:
            best = max(best, found / total)
    return best


def _years(values: Iterable[str]) -> set[str]:
    return {v[:4] for v in values if len(v) >= 4}


def birth_date(query: EntityProxy, candidate: EntityProxy) -> tuple[Feature, Feature]:
    """(agreement, conflict) on dates of birth; a year-only date agrees at year level."""
    q, c = set(query.get("birthDate", quiet=True)), set(candidate.get("birthDate", quiet=True))
    if not q or not c:
        return Feature(0.0, "no date of birth to compare"), Feature(0.0, "")
    exact = {a for a in q for b in c if a.startswith(b) or b.startswith(a)}
    if exact:
        return Feature(1.0, f"born {sorted(exact)[0]} on both"), Feature(0.0, "")
    if _years(q) & _years(c):
        return Feature(0.5, f"born in {sorted(_years(q) & _years(c))[0]} on both"), Feature(0.0, "")
    return Feature(0.0, ""), Feature(1.0, f"born {', '.join(sorted(q))} vs {', '.join(sorted(c))}")


def country(query: EntityProxy, candidate: EntityProxy) -> Feature:
    """Conflict: both name countries (nationality, citizenship, jurisdiction) and share none."""
    q, c = (
        set(query.get_type_values(registry.country)),
        set(candidate.get_type_values(registry.country)),
    )
    if q and c and not q & c:
        return Feature(1.0, f"countries {', '.join(sorted(q))} vs {', '.join(sorted(c))}")
    return Feature(0.0, "")


def identifier(query: EntityProxy, candidate: EntityProxy) -> Feature:
    """The same passport, registration or tax number (letters and digits compared)."""

    def normal(entity: EntityProxy) -> dict[str, str]:
        found = {}
        for prop in ID_PROPS:
            for value in entity.get(prop, quiet=True):
                key = re.sub(r"[^0-9A-Z]", "", value.upper())
                if len(key) >= 5:
                    found[key] = f"{prop} {value}"
        return found

    q = normal(query)
    if not q:
        return Feature(0.0, "")
    c = normal(candidate)
    shared = sorted(set(q) & set(c))
    return Feature(1.0, f"same {c[shared[0]]}") if shared else Feature(0.0, "")


def gender(query: EntityProxy, candidate: EntityProxy) -> Feature:
    """Conflict: both state a gender and they differ."""
    q, c = set(query.get("gender", quiet=True)), set(candidate.get("gender", quiet=True))
    if q and c and not q & c:
        return Feature(1.0, f"gender {', '.join(sorted(q))} vs {', '.join(sorted(c))}")
    return Feature(0.0, "")
