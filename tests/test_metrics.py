import pytest

import stancelib
from stancelib.metrics import stance_scores


def test_scores_follow_their_definitions():
    y_true = ["support", "support", "opposition", "concern", "none", "none"]
    y_pred = ["support", "opposition", "opposition", "concern", "none", "support"]
    report = stance_scores(y_true, y_pred, targets=["a", "a", "b", "b", "c", "c"])
    f1 = report.per_class["f1"]
    assert f1["support"] == pytest.approx(0.5)  # p 1/2, r 1/2
    assert f1["opposition"] == pytest.approx(2 / 3)  # p 1/2, r 1
    assert report.f_avg == pytest.approx((0.5 + 2 / 3) / 2)
    assert report.macro_f1 == pytest.approx(f1.mean())
    assert report.accuracy == pytest.approx(4 / 6)
    assert report.confusion.loc["support", "opposition"] == 1
    assert report.per_target.loc["a", "rows"] == 2
    assert report.per_target.loc["b", "accuracy"] == 1.0


def test_report_prints_and_serialises():
    report = stance_scores(["support", "none"], ["support", "support"])
    assert "macro-F1" in str(report)
    assert set(report.to_dict()) == {
        "macro_f1",
        "f_avg",
        "accuracy",
        "per_class",
        "per_target",
        "confusion",
    }


def test_evaluate_uses_the_model(fitted, pairs):
    report = stancelib.evaluate(fitted, pairs[["text", "target"]], pairs["stance"])
    assert report.macro_f1 == 1.0
    assert len(report.per_target) == len(pairs)


@pytest.mark.parametrize(
    "y_true, y_pred, match",
    [
        (["support"], ["pro"], r"y_pred\[0\] is 'pro'"),
        (["support", "none"], ["support"], "2 labels but y_pred has 1"),
    ],
)
def test_bad_labels_are_refused(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        stance_scores(y_true, y_pred)
