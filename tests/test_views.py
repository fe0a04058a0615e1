"""The target views: the compiled ones (stancelib._count) must equal the Python ones."""

import numpy as np
import pytest

from stancelib import _views
from stancelib.data import read_corpus_frame

# pairs that reach every branch of the views: contractions ("n't" split off, also at
# a mention's edge), whitespace of every kind, mentions that touch, overlap or repeat,
# aliases and partial mentions, targets not found, questions, negation scopes,
# coordinated objects, cues inside and outside the clause, digits, underscores,
# accents, typographic quotes and dashes
EDGE_PAIRS = [
    ("We don't support the plan, but we won't oppose it.", "the plan"),
    ("They can't accept the accord; nor can we.", "the accord"),
    ("the accordn't is odd", "the accord"),
    ("N'T alone, n't, don'ts and isn't", "the accord"),
    ("The sanctions\tregime\nis  a failure.", "the sanctions regime"),
    ("The sanctions regime is\u00a0a failure\u2009today.", "the sanctions regime"),
    ("NATO NATO and NATO, OTAN.", "NATO"),
    ("L’Otan et l'OTAN soutiennent l’adhésion de la Suède.", "l'OTAN"),
    ("Paris backs NATO enlargement.", "OTAN"),
    ("The AUKUS pact? The pact is a threat, they said.", "the AUKUS pact"),
    ("Who could oppose it?", "the ceasefire"),
    ("", "the ceasefire"),
    ("   ", "the ceasefire"),
    ("the ceasefire", "the ceasefire"),
    ("We welcome the accord and the ceasefire.", "the ceasefire"),
    ("We welcome the accord and and the ceasefire, but reject the tariffs.", "tariffs"),
    ("No one, nothing: the embargo is not wrong and we don't fear it.", "embargo"),
    ("Nous ne soutenons pas la réforme, mais nous saluons le dialogue.", "la réforme"),
    ("« La réforme » — disent-ils — est inacceptable !", "la réforme"),
    ("Article 5_bis of the 2024 accord (para. 3) is welcomed by 27 states.", "accord"),
    ("Ceasefire_2 and ceasefire 2 differ; the CEASEFIRE holds.", "ceasefire"),
    ("The UN and the UNESCO condemn, the U.N. welcomes.", "the UN"),
    ("Concern, risk, alarm and worry about TGT and the tgt.", "the tgt"),
    ("Welcomed welcomes welcoming reaffirmed reaffirm the treaty.", "the treaty"),
    ("ÉTATS-UNIS : l’embargo « illégal » est dénoncé par Cuba.", "l'embargo"),
    ("They said the plan, the plan and the plan were dangerous.", "the plan"),
    ("Emoji 🙂 and ½ and ² and ⅓ next to the deal™.", "the deal"),
    ("The pact is a threat to the region, and the pact must go.", "the AUKUS pact"),
    ("The_plan, plan_b and planned cuts: the plan stays.", "plan"),
    ("Members of the (UN) and the UN; (UN)x too.", "(UN)"),
    ("A text with no target at all.", ""),
    ("A text with a blank target.", "  "),
]


def _both(texts, targets, mask):
    compiled = _views.tokens_of(texts, targets, None, mask)
    python = _views._per_view(_views.target_tokens, texts, targets, None, mask)
    return compiled, python


@pytest.mark.parametrize("mask", [True, False])
def test_compiled_views_equal_python_views_on_edge_cases(compiled, mask):
    texts, targets = zip(*EDGE_PAIRS)
    fast, reference = _both(list(texts), list(targets), mask)
    assert _views._compiled is compiled
    for name in _views.VIEWS:
        for i, pair in enumerate(EDGE_PAIRS):
            assert fast[name][i] == reference[name][i], (name, pair)


def test_compiled_views_equal_python_views_on_the_corpus(compiled):
    frame = read_corpus_frame("data")
    texts, targets = frame["text"].tolist(), frame["target"].tolist()
    for mask in (True, False):
        fast, reference = _both(texts, targets, mask)
        for name in _views.VIEWS:
            pairs = enumerate(zip(fast[name], reference[name]))
            differ = [i for i, (a, b) in pairs if a != b]
            assert not differ, (name, mask, [texts[i] for i in differ[:3]])


def test_token_ids_start_afresh_past_their_limit(compiled):
    frame = read_corpus_frame("data").sample(600, random_state=0)
    texts, targets = frame["text"].tolist(), frame["target"].tolist()
    # the 54 fixed tokens (cue features, TGT, n't) and a few more
    ids = compiled.TokenViews(_views._TABLES, 100)
    reference = _views._per_view(_views.target_tokens, texts, targets, None, True)
    for start in range(0, len(texts), 100):
        part = slice(start, start + 100)
        views = ids.views(texts[part], targets[part], None, True)
        for name, view in zip(_views.VIEWS, views):
            assert ids.tokens(*view) == reference[name][part]
    # each call met more than 100 tokens: the five calls after the first started afresh
    assert ids.generation == 6
    for n_texts, n_targets in ((3, 2), (2, 3)):
        with pytest.raises(ValueError, match="same length"):
            ids.views(texts[:n_texts], targets[:n_targets], None, True)


def test_compiled_views_take_str_subclasses(compiled):
    texts = [np.str_("We back the plan."), _Text("Nous rejetons la taxe.")]
    targets = [np.str_("the plan"), _Text("la taxe")]
    fast, reference = _both(texts, targets, True)
    assert fast == reference
    assert fast["clause"] == [["we", "back", "TGT"], ["nous", "rejetons", "TGT"]]


class _Text(str):
    pass


def test_compiled_views_use_user_aliases(compiled):
    aliases = {"the Alliance": ["NATO"]}
    text, target = "Paris backs NATO.", "the Alliance"
    fast = _views.tokens_of([text], [target], aliases)
    assert fast["clause"] == [["paris", "backs", "TGT"]]
    python = _views._per_view(_views.target_tokens, [text], [target], aliases, True)
    assert fast == python


@pytest.mark.parametrize("views", ["compiled", "python"])
def test_views_of_a_pair(views, monkeypatch):
    if views == "python":
        monkeypatch.setattr(_views, "_compiled", None)
    text = "We don't reject the plan, and Paris welcomes it."
    sentence, clause, cues, target = _views.views_of([text], ["the plan"]).values()
    assert sentence == ["we do n't reject TGT , and paris welcomes it ."]
    assert clause == ["we do n't not_reject TGT"]
    assert cues[0].split()[:3] == ["opp_neg", "opp_L_neg", "opp_L_d1"]
    assert {"gov_reject_neg", "out_sup", "left_reject"} <= set(cues[0].split())
    assert target == ["the plan"]
