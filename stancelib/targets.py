"""Find where a target is mentioned in a sentence.

Matching is case- and accent-insensitive and treats typographic apostrophes as plain
ones, so "l'OTAN", "l’Otan" and "OTAN" meet. Spans are always given in the original
text. Known aliases (NATO/OTAN, EU/UE, ...) are tried when the target itself is absent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

# Each group names one organisation in English and French; a target matching one name
# is also looked for under the others.
ALIAS_GROUPS = (
    ("NATO", "OTAN", "North Atlantic Treaty Organization", "Alliance atlantique"),
    ("EU", "UE", "European Union", "Union européenne"),
    ("UN", "ONU", "United Nations", "Nations unies", "Organisation des Nations unies"),
    ("UNSC", "Security Council", "Conseil de sécurité"),
    ("WHO", "OMS", "World Health Organization", "Organisation mondiale de la santé"),
    ("WTO", "OMC", "World Trade Organization", "Organisation mondiale du commerce"),
    (
        "IAEA",
        "AIEA",
        "International Atomic Energy Agency",
        "Agence internationale de l'énergie atomique",
    ),
    ("IMF", "FMI", "International Monetary Fund", "Fonds monétaire international"),
    ("AU", "UA", "African Union", "Union africaine"),
    ("ICC", "CPI", "International Criminal Court", "Cour pénale internationale"),
    ("ICJ", "CIJ", "International Court of Justice", "Cour internationale de justice"),
    (
        "OSCE",
        "Organization for Security and Co-operation in Europe",
        "Organisation pour la sécurité et la coopération en Europe",
    ),
    ("ECOWAS", "CEDEAO"),
    ("NPT", "TNP", "Non-Proliferation Treaty", "traité de non-prolifération"),
    ("COP", "Conference of the Parties", "Conférence des parties"),
)

_LEADING_ARTICLES = re.compile(
    r"^(?:(?:the|a|an|any|all|le|la|les|un|une|des|du|de la|tout|toute|tous|toutes)\s+"
    r"|(?:de l'|l'|d')\s*)+",
)
_STOPWORDS = frozenset(
    "the a an of to in on for and or with by at from its their this that these "
    "those le la les l de du des d un une et ou en au aux a sur pour par avec dans "
    "ce cette ces son sa ses leur leurs".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """Fold case and accents and unify apostrophes, keeping one character per character.

    Examples
    --------
    >>> normalize("L’Élysée")
    "l'elysee"
    """
    return text.translate(_FOLD)


class _FoldTable(dict):
    """A ``str.translate`` table that folds each character once, then remembers it."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in "’‘ʼ`´":
            folded = "'"
        else:
            base = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in base if not unicodedata.combining(c)).casefold()
            # one character for one character, so spans map back unchanged
            folded = base if len(base) == 1 else (base[:1] or char)
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def _alias_table() -> dict[str, tuple[str, ...]]:
    table = {}
    for group in ALIAS_GROUPS:
        for name in group:
            table[normalize(name)] = tuple(n for n in group if n != name)
    return table


_ALIASES = _alias_table()


def aliases_of(
    target: str, extra: Mapping[str, Iterable[str]] | None = None
) -> list[str]:
    """Return the other names of ``target``: built-in aliases and those in ``extra``.

    Examples
    --------
    >>> aliases_of("NATO")[:2]
    ['OTAN', 'North Atlantic Treaty Organization']
    """
    key = normalize(_LEADING_ARTICLES.sub("", normalize(target.strip())))
    names = list(_ALIASES.get(key, ()))
    for name, others in (extra or {}).items():
        if normalize(name) in (key, normalize(target.strip())):
            names.extend(others)
    return names


def _search(
    folded_text: str, name: str, odd_spacing: bool | None = None
) -> list[tuple[int, int]]:
    folded = _fold_name(name)
    if not folded:
        return []
    if " " in folded and (
        _odd_spacing(folded_text) if odd_spacing is None else odd_spacing
    ):
        # the text spaces words unusually (newlines, double spaces): match by regex
        return [m.span() for m in _pattern(folded).finditer(folded_text)]
    start = folded_text.find(folded)
    if start < 0:  # the common case: not there at all
        return []
    spans = []
    while start >= 0:
        end = start + len(folded)
        # a mention starts and ends on a word boundary: "UN" is not found in "UNESCO"
        if not (
            (folded[0].isalnum() and start > 0 and _is_word(folded_text[start - 1]))
            or (
                folded[-1].isalnum()
                and end < len(folded_text)
                and _is_word(folded_text[end])
            )
        ):
            spans.append((start, end))
        start = folded_text.find(folded, start + 1)
    return spans


_ODD_SPACING = re.compile(r"\s\s|[^\S ]")


def _odd_spacing(folded_text: str) -> bool:
    """Whether a text has two whitespace characters in a row, or one that is not a
    space (newlines, tabs, no-break spaces...).

    Such whitespace is never printable, so a text with no double space that
    ``isprintable`` (most texts: both are quick scans in C) has none; the others are
    searched with the regex.
    """
    if "  " not in folded_text and folded_text.isprintable():
        return False
    return bool(_ODD_SPACING.search(folded_text))


@lru_cache(maxsize=65536)
def _fold_name(name: str) -> str:
    return " ".join(normalize(name).split())


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


@lru_cache(maxsize=1024)
def _pattern(folded: str) -> re.Pattern:
    left = r"(?<!\w)" if folded[0].isalnum() else ""
    right = r"(?!\w)" if folded[-1].isalnum() else ""
    return re.compile(left + r"\s+".join(map(re.escape, folded.split())) + right)


def find_mentions(
    text: str,
    target: str,
    aliases: Mapping[str, Iterable[str]] | None = None,
    *,
    partial: bool = False,
) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` spans where ``target`` is mentioned in ``text``.

    The target is looked for as written, then without a leading article ("the accord"
    finds "Accord"), then under its aliases. With ``partial=True``, when all of these
    fail, the longest run of the target's content words found in the text is returned
    ("the AUKUS pact" finds "pact" in "the pact"), so that anaphora still point the
    classifier at the right place.

    Examples
    --------
    >>> find_mentions("Les ministres soutiennent l'Otan.", "l'OTAN")
    [(26, 32)]
    >>> find_mentions("NATO and the OTAN", "OTAN")
    [(13, 17)]
    >>> find_mentions("Paris backs NATO.", "OTAN")
    [(12, 16)]
    """
    return find_folded(normalize(text), target, aliases, partial=partial)


def find_folded(
    folded_text: str,
    target: str,
    aliases: Mapping[str, Iterable[str]] | None = None,
    *,
    partial: bool = False,
) -> list[tuple[int, int]]:
    """:func:`find_mentions` in a text already folded by :func:`normalize`."""
    if aliases is None:
        core, names = _names(target)
    else:
        core = _LEADING_ARTICLES.sub("", normalize(target.strip()))
        names = (target, core, *aliases_of(target, aliases))
    # whether the text spaces words unusually, worked out once for all the names
    odd_spacing = None
    for name in names:
        if odd_spacing is None and " " in _fold_name(name):
            odd_spacing = _odd_spacing(folded_text)
        spans = _search(folded_text, name, odd_spacing)
        if spans:
            return spans
    if partial:
        return _partial_mentions(folded_text, core)
    return []


@lru_cache(maxsize=65536)
def _names(target: str) -> tuple[str, tuple[str, ...]]:
    """The folded core of ``target`` and the names it is looked for under, in order."""
    core = _LEADING_ARTICLES.sub("", normalize(target.strip()))
    # aliases_of(target), its core found once
    return core, (target, core, *_ALIASES.get(normalize(core), ()))


def _partial_mentions(folded_text: str, folded_target: str) -> list[tuple[int, int]]:
    words = _WORD.findall(folded_target)
    # a run is found only if each of its words is a word of the text
    present = set(_WORD.findall(folded_text))
    best: list[tuple[int, int]] = []
    best_len = 0
    for size in range(len(words) - 1, 0, -1):
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            if not present.issuperset(run):
                continue
            content = [w for w in run if w not in _STOPWORDS and len(w) > 2]
            if not content:
                continue
            spans = _search(folded_text, " ".join(run))
            if spans and size > best_len:
                best, best_len = spans, size
        if best:
            return best
    return best
