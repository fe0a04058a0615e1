"""Documents to sentences to (target, stance) rows, with the evidence."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import numpy as np

from .targets import find_mentions, normalize

if TYPE_CHECKING:
    import pandas as pd

# Words that end with a full stop without ending the sentence, in English and French
# (folded: lower case, no accents).
ABBREVIATIONS = frozenset(
    "m mm mme mmes mlle mr mrs ms dr drs prof pr me mgr st ste sr jr gen col lt "
    "sgt capt cmdr adm gov sen rep amb pres vs etc cf al ca approx no nos art arts "
    "al ch chap vol p pp fig eg ie e.g i.e u.s u.k u.n u.s.a e.u jan feb mar apr "
    "jun jul aug sep sept oct nov dec janv fevr avr juil oct dept inc ltd co corp "
    "av bd env ref min max hon rt j.-c".split()
)
_BOUNDARY = re.compile(
    r"([.!?…]+)((?:\s?[\"'»”’)\]])*)(\s+)(?=[\"'«“(\[]?\s?[A-ZÀ-Ý0-9])"
)
_WORD_BEFORE = re.compile(r"([\w.\-]+)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split a document into sentences; return their ``(start, end)`` spans.

    A full stop after a known abbreviation ("M.", "Mme", "U.S.", "etc."), an initial
    ("J. Smith") or inside a number does not end a sentence.

    Examples
    --------
    >>> doc = ("M. Dupont a rencontré Mme Martin. Les U.S. officials agreed, etc. "
    ...        "Then left.")
    >>> [doc[s:e] for s, e in split_sentences(doc)]
    ['M. Dupont a rencontré Mme Martin.', 'Les U.S. officials agreed, etc. Then left.']
    """
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        end = match.end(2)
        if match.group(1) == "." and _is_abbreviation(text[start : match.start(1)]):
            continue
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(text.rstrip())))
    # a span starts at its first non-blank character; blank spans are not sentences
    return [
        (s + len(text[s:e]) - len(text[s:e].lstrip()), e)
        for s, e in spans
        if text[s:e].strip()
    ]


def _is_abbreviation(before: str) -> bool:
    match = _WORD_BEFORE.search(before)
    if not match:
        return False
    word = match.group(1)
    folded = normalize(word).strip(".")
    if folded in ABBREVIATIONS:
        return True
    # initials ("J.") and dotted acronyms ("U.S.", "U.N.")
    return bool(re.fullmatch(r"(?:[A-Z]\.)*[A-Z]", word.rstrip(".")))


# Stance predicates whose object is a likely target, in English and French.
_PREDICATES = (
    r"welcom\w*|support\w*|back(?:s|ed|ing)?|endors\w*|condemn\w*|reject\w*|oppos\w*|"
    r"denounc\w*|criticis\w*|criticiz\w*|deplor\w*|applaud\w*|prais\w*|concerned|"
    r"worried|alarmed|troubled|concern|warn\w*|call\w* for|urge\w*|"
    r"salu\w*|soutien\w*|souti\w*|approuv\w*|condamn\w*|rejett\w*|rejet\w*|"
    r"s'oppos\w*|dénonc\w*|déplor\w*|se félicit\w*|félicit\w*|préoccupé\w*|"
    r"inquiet\w*|s'inquièt\w*|met\w* en garde|appel\w*"
)
_NP_STOP = (
    r"[,;:.!?()]|\s(?:and|but|while|which|that|who|as|because|if|et|mais|qui|que|dont|"
    r"tandis|alors|car|si|lors)\s"
)
# an adverb may sit between a predicate and its object ("s'inquiètent toutefois du")
_ADVERB = (
    r"(?:\s+(?:\w+ment|however|also|again|toutefois|aussi|encore|firmly|strongly|"
    r"deeply))?"
)
# a preposition after the predicate is not part of the target ("support for X")
_PREPOSITION = (
    r"(?:\s+(?:for|of|to|towards|about|by|at|over|against|pour|à|au|aux|de|du|des|"
    r"d'|par|contre)(?=\s|'))?"
)
_PREDICATE_OBJECT = re.compile(
    rf"\b(?:{_PREDICATES}){_ADVERB}{_PREPOSITION}\s+((?:(?!{_NP_STOP}).){{3,120}}?)"
    rf"(?={_NP_STOP}|$)",
    re.IGNORECASE,
)
_TRAILING_STOPWORDS = re.compile(
    r"(?:\s+(?:the|a|an|of|in|on|to|for|at|by|with|le|la|les|l'|de|du|des|d'|en|au|aux|"
    r"à|pour|sur|par|avec|dans))+$",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,9}\b(?:-[A-Z0-9]+)?")
_NAME = re.compile(
    r"\b(?!(?:The|A|An|Le|La|Les|Un|Une|Des|This|These|Ce|Cette|Ces)\b)"
    r"[A-Z][\w'’-]+(?:\s+(?:(?:of|for|de|du|des|la|le|pour)\s+)?"
    r"[A-Z][\w'’-]+)+"
)
_NOT_TARGETS = frozenset("I A OK TV AM PM UTC GMT".split())
_MAX_OBJECT_WORDS = 10
_PROGRESS_MIN = 10_000
_BATCH = 20_000


def find_candidate_targets(sentence: str) -> list[str]:
    """Find likely targets in a sentence when the user names none.

    The heuristic, in order: the object noun phrase of a stance predicate ("welcome the
    new trade accord", "s'opposent à l'élargissement"), cut at the first comma,
    conjunction or relative pronoun and at ten words; acronyms (NATO, OTAN, AUKUS);
    multi-word capitalised names (European Union, Conseil de sécurité). Candidates
    inside    a longer candidate are dropped.

    Examples
    --------
    >>> find_candidate_targets("Both sides reject unilateral sanctions and welcome "
    ...                        "the AUKUS pact.")
    ['unilateral sanctions', 'the AUKUS pact']
    """
    found = []
    for match in _PREDICATE_OBJECT.finditer(sentence):
        words = " ".join(match.group(1).split()[:_MAX_OBJECT_WORDS])
        found.append((match.start(1), _TRAILING_STOPWORDS.sub("", words)))
    for pattern in (_ACRONYM, _NAME):
        found += [
            (m.start(), m.group())
            for m in pattern.finditer(sentence)
            if m.group() not in _NOT_TARGETS
        ]
    kept = []
    for start, name in sorted(found, key=lambda f: -len(f[1])):
        end = start + len(name)
        if not any(s <= start and end <= s + len(n) for s, n in kept):
            kept.append((start, name))
    return [name for _, name in sorted(kept)]


def analyze(
    text: str, targets=None, model=None, *, aliases=None, progress=False
) -> pd.DataFrame:
    """Tag the stance of every sentence of a document toward each target it mentions.

    Parameters
    ----------
    text : str
        The document, in English or French.
    targets : list of str, default=None
        The targets to look for; every mention (and alias, e.g. NATO/OTAN) of each is
        found. None means candidates found by :func:`find_candidate_targets`.
    model : StanceClassifier, default=None
        A fitted model; None means :func:`~stancelib.load_default`.
    aliases : dict of str to list of str, default=None
        Extra names of targets, e.g. ``{"the accord": ["the Paris Agreement"]}``.
    progress : bool, default=False
        Show a progress bar on stderr while a long document (over 10,000 sentences)
        is analysed.

    Returns
    -------
    DataFrame
        One row per (sentence, target mention): ``sentence_id``, ``sentence``,
        ``target``, ``mention``, ``start`` and ``end`` (the mention's span in ``text``),
        ``stance``, ``confidence`` (the probability of that stance).

    Examples
    --------
    >>> from stancelib import StanceClassifier
    >>> X = [("We welcome the accord.", "accord"),
    ...      ("We reject the embargo.", "embargo")]
    >>> model = StanceClassifier().fit(X, ["support", "opposition"])
    >>> rows = analyze("We reject the embargo. M. Roy arrived.", ["embargo"], model)
    >>> rows[["sentence_id", "target", "start", "end", "stance"]].values.tolist()
    [[0, 'embargo', 14, 21, 'opposition']]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}.")
    if isinstance(targets, str):
        targets = [targets]
    if targets is not None:
        targets = list(targets)
        bad = [t for t in targets if not isinstance(t, str) or not t.strip()]
        if bad:
            raise ValueError(f"targets must be non-empty strings; got {bad[:3]!r}.")
    # imported when needed, for a light `import stancelib`
    import pandas as pd
    from tqdm import tqdm

    rows = []
    sentences = split_sentences(text)
    bar = tqdm(
        sentences,
        desc="analyze",
        unit="sentence",
        file=sys.stderr,
        disable=not progress or len(sentences) < _PROGRESS_MIN,
        mininterval=0.5,
    )
    for sentence_id, (s_start, s_end) in enumerate(bar):
        sentence = text[s_start:s_end]
        names = find_candidate_targets(sentence) if targets is None else targets
        for target in names:
            for start, end in find_mentions(sentence, target, aliases):
                rows.append(
                    {
                        "sentence_id": sentence_id,
                        "sentence": sentence,
                        "target": target,
                        "mention": sentence[start:end],
                        "start": s_start + start,
                        "end": s_start + end,
                    }
                )
    columns = ["sentence_id", "sentence", "target", "mention", "start", "end"]
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame.assign(
            stance=pd.Series(dtype=object), confidence=pd.Series(dtype=float)
        )
    if model is None:
        from .default import load_default

        model = load_default()
    pairs = pd.DataFrame({"text": frame["sentence"], "target": frame["mention"]})
    proba = np.vstack(
        [
            model.predict_proba(pairs.iloc[i : i + _BATCH])
            for i in range(0, len(pairs), _BATCH)
        ]
    )
    best = proba.argmax(axis=1)
    frame["stance"] = np.asarray(model.classes_)[best]
    frame["confidence"] = proba[np.arange(len(best)), best].round(4)
    return frame
