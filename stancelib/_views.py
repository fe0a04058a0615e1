"""The target-aware views of a (text, target) pair; no scikit-learn.

The functions here are the reference, in Python; where :mod:`stancelib._count` was
built, :func:`tokens_of` and :func:`views_of` compute the same views with its compiled
loop.

:func:`target_views` finds the target's mention, the clause around it, the stance cue
that governs it and the negations in scope, and returns four texts per pair:

``sentence``
    The whole sentence, folded (case, accents), the mention replaced by ``TGT``.
``clause``
    The clause that holds the mention, words in a negation's scope prefixed ``not_``.
``cues``
    Symbolic features: the governing cue word and its class, cue classes left and right
    of the mention with their distance and negation, cues outside the clause (they
    belong to other targets), and whether the target was found at all.
``target``
    The target itself, folded, its words separated by single spaces: what it is
    ("the shelling of civilians", "any attempt to dismantle the accord") bears on the
    stance a sentence is likely to take, while the sentence view, with the mention
    masked, says how the stance is expressed.

:class:`~stancelib.features.TargetContext` wraps them as a scikit-learn transformer;
prediction calls them directly (:mod:`stancelib.predictor`), without scikit-learn.
"""

from __future__ import annotations

import gc
import re
import threading
from contextlib import contextmanager

from . import targets as _targets
from .targets import _FOLD, find_folded, normalize

try:  # the compiled views, where the extension was built (see tokens_of)
    from . import _count as _compiled
except ImportError:  # pragma: no cover - depends on the build
    _compiled = None

VIEWS = ("sentence", "clause", "cues", "target")

# Stems (accent- and case-folded prefixes) of words that carry a stance, in English and
# French. They give the classifier a head start on unseen wording; n-gram features still
# learn everything else from data.
CUES = {
    "sup": (
        "welcom",
        "support",
        "backs",
        "backed",
        "backing",
        "endors",
        "prais",
        "applau",
        "commend",
        "favou",
        "favor",
        "champion",
        "uphold",
        "upheld",
        "reaffirm",
        "commitment",
        "committed",
        "embrac",
        "hail",
        "approv",
        "ratif",
        "defend",
        "advoca",
        "salu",
        "felicit",
        "soutien",
        "soutenir",
        "souti",
        "approuv",
        "appui",
        "encourag",
        "plaid",
        "adher",
        "bienvenu",
        "cornerstone",
        "essential",
        "vital",
        "landmark",
        "milestone",
        "historic",
        "pilier",
        "essentiel",
        "indispens",
        "laud",
        "celebrat",
        "appreciat",
        "pledg",
        "preserv",
        "safeguard",
        "rejoui",
        "positi",
        "constructi",
        "lifeline",
        "breakthrough",
        "avancee",
        "progres",
        "attachement",
        "attache",
        "engagement",
        "merit",
        "benefi",
        "chance",
        "opportun",
        "atout",
        "crucial",
        "welcome",
        "applaud",
        "promot",
        "accueill",
    ),
    "opp": (
        "reject",
        "oppos",
        "condemn",
        "denounc",
        "critici",
        "critiz",
        "against",
        "object",
        "veto",
        "boycott",
        "protest",
        "deplor",
        "refus",
        "rejet",
        "rejett",
        "condamn",
        "denonc",
        "contre",
        "hostil",
        "fustig",
        "critiqu",
        "illegal",
        "illegitim",
        "violat",
        "unacceptab",
        "inacceptab",
        "dangerous",
        "dangereu",
        "halt",
        "abandon",
        "withdraw",
        "scrap",
        "revok",
        "revoc",
        "suspend",
        "retir",
        "abrog",
        "repeal",
        "undermin",
        "slam",
        "decr",
        "decri",
        "assail",
        "outrag",
        "scandal",
        "unlawful",
        "illicit",
        "provoca",
        "destabili",
        "menace",
        "threat",
        "aggress",
        "annul",
        "blunder",
        "mistake",
        "erreur",
        "faute",
        "reckless",
        "irrespons",
        "absurd",
        "unjust",
        "injust",
        "abus",
        "disastr",
        "desastr",
        "catastroph",
        "stop",
        "arret",
        "renonc",
        "bloqu",
        "block",
    ),
    "con": (
        "concern",
        "worr",
        "alarm",
        "anxi",
        "uneas",
        "fear",
        "troubl",
        "disquiet",
        "apprehens",
        "risk",
        "caution",
        "preoccup",
        "inquiet",
        "craint",
        "crain",
        "vigilan",
        "risqu",
        "fragil",
        "uncertain",
        "incertitud",
        "doubt",
        "doute",
        "perplex",
        "reserve",
        "hesit",
        "wary",
        "nervous",
        "unclear",
        "question",
        "interrog",
        "prudence",
        "prudent",
        "dismay",
        "consterna",
        "emoi",
        "alert",
    ),
}
NEGATIONS = frozenset(
    "not n't no never nor neither without cannot ne n pas jamais aucun aucune sans ni "
    "guere nullement nobody nothing rien longer".split()
)
# words that end a clause: coordination and contrast, in both languages
BOUNDARY_WORDS = frozenset(
    "and but while whereas although though yet whilst however et mais tandis alors "
    "cependant toutefois pourtant or ou".split()
)
BOUNDARY_PUNCT = frozenset(',;:()[]—–!?.«»"')
STOPWORDS = frozenset(
    "the a an of to in on for with by at from its their this that these those as "
    "is are was were be been has have had it they we he she which who will would "
    "shall should le la les l de du des d un une en au aux a sur pour par avec "
    "dans ce cette ces son sa ses leur leurs est sont a ont qui que qu il elle ils "
    "elles nous se s y".split()
)
_TOKEN = re.compile(r"\w+(?=n't)|n't|\w+|[^\w\s]")
# the same tokens for a text without "n't", found faster (no lookahead to try)
_PLAIN_TOKEN = re.compile(r"\w+|[^\w\s]")


def _tokens(folded: str) -> list[str]:
    """Return the words and punctuation marks of a folded text, "n't" split off."""
    return (_TOKEN if "n't" in folded else _PLAIN_TOKEN).findall(folded)


_CUE_PATTERN = {
    cls: re.compile("|".join(sorted(stems, key=len, reverse=True)))
    for cls, stems in CUES.items()
}


def cue_class(token: str) -> str | None:
    """Return the cue class (``sup``, ``opp`` or ``con``) of a folded token, or None.

    Examples
    --------
    >>> cue_class("condamnent"), cue_class("welcomed"), cue_class("summit")
    ('opp', 'sup', None)
    """
    return _CUE_CACHE[token]


class _CueCache(dict):
    """Each token's cue class, found once, then remembered.

    A vocabulary is small next to the text it covers; the memory is bounded all the
    same, so that an endless stream of new words cannot fill it.
    """

    def __missing__(self, token: str) -> str | None:
        found = None
        for cls, pattern in _CUE_PATTERN.items():
            if pattern.match(token):
                found = cls
                break
        if len(self) >= _CUE_CACHE_SIZE:
            self.clear()
        self[token] = found
        return found


_CUE_CACHE = _CueCache(TGT=None)
_CUE_CACHE_SIZE = 200_000
_BOUNDARIES = BOUNDARY_PUNCT | BOUNDARY_WORDS


def _distance(gap: int) -> str:
    return "d1" if gap <= 2 else "d2" if gap <= 5 else "d3"


def target_views(
    text: str, target: str, aliases=None, mask: bool = True
) -> tuple[str, str, str, str]:
    """Return the ``(sentence, clause, cues, target)`` views of one pair; see the
    module doc.

    With ``mask=False`` the sentence view keeps the words of the mention.

    Examples
    --------
    >>> views = target_views("Both sides reject the sanctions and welcome the accord.",
    ...                      "the accord")
    >>> views[1]
    'welcome TGT'
    >>> "gov_welcom" in views[2].split()
    True
    """
    return tuple(map(" ".join, target_tokens(text, target, aliases, mask)))


def target_tokens(
    text: str, target: str, aliases=None, mask: bool = True
) -> tuple[list[str], list[str], list[str], list[str]]:
    """:func:`target_views` before joining: the tokens of each view (lists of str
    with no whitespace).

    Prediction counts n-grams from these tokens directly, without joining them into
    texts and splitting those again.
    """
    folded = normalize(text)
    spans = find_folded(folded, target, aliases, partial=True)
    if not spans:
        tokens = _tokens(folded)
        cues = ["notfound", "question"] if "?" in tokens else ["notfound"]
        return tokens, tokens, cues + _cue_tokens(tokens, None), _words(target)
    tokens, first = _mask_mentions(folded, spans)
    sentence = tokens if mask else _tokens(folded)
    cues = ["question"] if "?" in tokens else []
    lo, hi = _clause_bounds(tokens, first)
    if NEGATIONS.isdisjoint(tokens):  # most sentences: nothing is negated
        negated = [False] * len(tokens)
        clause = tokens[lo:hi]
    else:
        negated = _negation_scope(tokens)
        clause = [
            ("not_" + tok) if negated[i] and tok != "TGT" else tok
            for i, tok in enumerate(tokens[lo:hi], start=lo)
        ]
    cues += _cue_tokens(tokens, first, lo, hi, negated)
    return sentence, clause, cues, _words(target)


def _words(target: str) -> list[str]:
    """The target view's tokens: the folded target's words."""
    return normalize(target).split()


def views_of(texts, targets, aliases=None, mask: bool = True) -> dict[str, list[str]]:
    """Return the views of many pairs: for each name of :data:`VIEWS`, one text a pair.

    Examples
    --------
    >>> views_of(["We reject the embargo."], ["the embargo"])["clause"]
    ['we reject TGT']
    """
    if _compiled is None:
        return _per_view(target_views, texts, targets, aliases, mask)
    tokens = tokens_of(texts, targets, aliases, mask)
    return {name: list(map(" ".join, docs)) for name, docs in tokens.items()}


def tokens_of(texts, targets, aliases=None, mask: bool = True) -> dict[str, list]:
    """:func:`views_of` before joining: per view, one token list a pair.

    Where :mod:`stancelib._count` was built, its ``TokenViews`` computes them, as
    token ids turned back into tokens: the same tokens as :func:`target_tokens`
    (the reference, which the tests compare it with), in a third of the time on
    corpus pairs.
    """
    if _compiled is None:
        return _per_view(target_tokens, texts, targets, aliases, mask)
    global _SHARED
    with _SHARED_LOCK, no_cycle_collection():
        if _SHARED is None:
            _SHARED = _compiled.TokenViews(_TABLES)
        views = _SHARED.views(texts, targets, aliases, mask)
        return {name: _SHARED.tokens(*view) for name, view in zip(VIEWS, views)}


def _per_view(function, texts, targets, aliases, mask):
    with no_cycle_collection():
        views = zip(*(function(a, b, aliases, mask) for a, b in zip(texts, targets)))
        return dict(zip(VIEWS, map(list, views)))


@contextmanager
def no_cycle_collection():
    """Pause Python's cyclic garbage collector for the block.

    Views make many small lists that all stay alive until the block ends, and no
    reference cycles: the collector would scan them again and again for nothing
    (a third of the time of the views of 20,000 pairs). Memory is still freed by
    reference counting; the collector is resumed on exit if it was running. The
    pause is process-wide, as the collector is: other threads' cycles wait for it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _mask_mentions(folded: str, spans) -> tuple[list[str], int]:
    """Tokenize ``folded``; each run of tokens touching a mention becomes one ``TGT``.

    Returns the tokens and the index of the first ``TGT``. Mentions start and end on
    token boundaries (see :func:`~stancelib.targets.find_folded`), so the text between
    them is tokenized piece by piece; mentions with no token between them, or that
    overlap, make one ``TGT``.
    """
    out, done, first = [], 0, None
    for start, end in sorted(spans):
        if start < done:  # overlaps the previous mention
            done = max(done, end)
            continue
        between = _tokens(folded[done:start])
        if between or not out:
            out += between
            if first is None:
                first = len(out)
            out.append("TGT")
        done = end
    out += _tokens(folded[done:])
    return out, first


def _clause_bounds(tokens: list[str], first: int) -> tuple[int, int]:
    lo = first
    while lo > 0 and tokens[lo - 1] not in _BOUNDARIES:
        lo -= 1
    # a coordinated object ("welcome the accord and TGT") borrows the clause before it
    if lo > 0 and all(t in STOPWORDS for t in tokens[lo:first]):
        lo -= 1
        while lo > 0 and tokens[lo - 1] not in _BOUNDARIES:
            lo -= 1
    hi = first + 1
    while hi < len(tokens) and tokens[hi] not in _BOUNDARIES:
        hi += 1
    return lo, hi


def _negation_scope(tokens: list[str]) -> list[bool]:
    negated, active = [], False
    for tok in tokens:
        if tok in _BOUNDARIES:
            active = False
        negated.append(active)
        if tok in NEGATIONS:
            active = True
    return negated


def _cue_tokens(tokens, first, lo=0, hi=None, negated=None) -> list[str]:
    hi = len(tokens) if hi is None else hi
    out, governor = [], None
    classes = list(map(_CUE_CACHE.__getitem__, tokens))
    for i in [i for i, cls in enumerate(classes) if cls is not None]:
        cls = classes[i]
        if first is None:
            out.append(f"any_{cls}")
            continue
        if not lo <= i < hi:
            out.append(f"out_{cls}")
            continue
        side = "L" if i < first else "R"
        neg = "_neg" if negated[i] else ""
        out += [
            f"{cls}{neg}",
            f"{cls}_{side}{neg}",
            f"{cls}_{side}_{_distance(abs(i - first))}",
        ]
        if side == "L" or governor is None:
            governor = (tokens[i], cls, neg, side)
    if governor is not None:
        tok, cls, neg, side = governor
        out += [f"gov_{tok[:6]}{neg}", f"govcls_{cls}{neg}", f"govside_{side}"]
    if first is not None:
        # the nearest content word on each side of the mention, within the clause
        for tok in reversed(tokens[lo:first]):
            if tok not in STOPWORDS and tok.isalpha():
                out.append(f"left_{tok[:6]}")
                break
        for tok in tokens[first + 1 : hi]:
            if tok not in STOPWORDS and tok.isalpha():
                out.append(f"right_{tok[:6]}")
                break
    return out


# the TokenViews of tokens_of, made on first use; predictors have their own
_SHARED = None
_SHARED_LOCK = threading.Lock()

if _compiled is not None:
    _TABLES = _compiled.views_tables(
        _FOLD,
        _CUE_CACHE,
        NEGATIONS,
        _BOUNDARIES,
        STOPWORDS,
        (
            find_folded,
            _targets._names,
            _targets._odd_spacing,
            _targets._search,
            _targets._partial_mentions,
        ),
    )
