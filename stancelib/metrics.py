"""Scores for stance models: macro-F1, per class, SemEval-2016 F_avg, per target."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from .data import check_pairs, check_stances
from .labels import STANCES


@dataclass
class EvaluationReport:
    """The scores of a model on labelled pairs.

    Attributes
    ----------
    macro_f1 : float
        Unweighted mean F1 over the stances present in ``y_true`` or predicted.
    f_avg : float
        SemEval-2016 F_avg: the mean of the F1 of ``support`` and ``opposition``.
    accuracy : float
        Share of correct predictions.
    per_class : DataFrame
        Precision, recall, F1 and support per stance.
    per_target : DataFrame
        Rows, accuracy and macro-F1 per target, most frequent targets first.
    confusion : DataFrame
        Confusion matrix, true stances as rows, predictions as columns.
    """

    macro_f1: float
    f_avg: float
    accuracy: float
    per_class: pd.DataFrame
    per_target: pd.DataFrame
    confusion: pd.DataFrame

    def to_dict(self) -> dict:
        """Return the report as plain JSON-ready values."""
        return {
            "macro_f1": self.macro_f1,
            "f_avg": self.f_avg,
            "accuracy": self.accuracy,
            "per_class": self.per_class.to_dict(orient="index"),
            "per_target": self.per_target.to_dict(orient="index"),
            "confusion": self.confusion.to_dict(orient="index"),
        }

    def __str__(self) -> str:
        return "\n".join(
            [
                f"macro-F1 {self.macro_f1:.3f}   F_avg {self.f_avg:.3f}   "
                f"accuracy {self.accuracy:.3f}",
                "",
                self.per_class.round(3).to_string(),
                "",
                "confusion (rows: true, columns: predicted)",
                self.confusion.to_string(),
                "",
                "most frequent targets",
                self.per_target.head(10).round(3).to_string(),
            ]
        )


def stance_scores(y_true, y_pred, targets=None) -> EvaluationReport:
    """Score predicted stances against true ones.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted stance labels.
    targets : array-like of shape (n_samples,), default=None
        The target of each row, for the per-target table.

    Returns
    -------
    EvaluationReport

    Examples
    --------
    >>> report = stance_scores(["support", "opposition", "none"],
    ...                        ["support", "opposition", "opposition"])
    >>> round(report.f_avg, 3), round(report.macro_f1, 3)
    (0.833, 0.556)
    """
    y_true, y_pred = (
        check_stances(y_true, name="y_true"),
        check_stances(y_pred, name="y_pred"),
    )
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}."
        )
    labels = [s for s in STANCES if s in set(y_true) | set(y_pred)]
    p, r, f, n = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_class = pd.DataFrame(
        {"precision": p, "recall": r, "f1": f, "support": n}, index=labels
    )
    f_pair = f1_score(
        y_true, y_pred, labels=["support", "opposition"], average=None, zero_division=0
    )
    frame = pd.DataFrame({"true": y_true, "pred": y_pred})
    frame["target"] = "(all)" if targets is None else list(targets)
    per_target = (
        frame.groupby("target")
        .apply(_target_row, include_groups=False)
        .sort_values("rows", ascending=False, kind="stable")
    )
    return EvaluationReport(
        macro_f1=float(f.mean()),
        f_avg=float(f_pair.mean()),
        accuracy=float((frame["true"] == frame["pred"]).mean()),
        per_class=per_class,
        per_target=per_target,
        confusion=pd.DataFrame(
            confusion_matrix(y_true, y_pred, labels=labels),
            index=labels,
            columns=labels,
        ),
    )


def _target_row(group: pd.DataFrame) -> pd.Series:
    return pd.Series(
        {
            "rows": len(group),
            "accuracy": float((group["true"] == group["pred"]).mean()),
            "macro_f1": f1_score(
                group["true"], group["pred"], average="macro", zero_division=0
            ),
        }
    )


def evaluate(model, X, y) -> EvaluationReport:
    """Evaluate a fitted model on labelled (text, target) pairs.

    Parameters
    ----------
    model : StanceClassifier
        A fitted model.
    X : DataFrame with ``text`` and ``target`` columns, or sequence of pairs
        The statements and their targets.
    y : array-like of shape (n_samples,)
        The true stances.

    Returns
    -------
    EvaluationReport
        Macro-F1, F_avg, per-class and per-target scores and the confusion matrix.

    Examples
    --------
    >>> from stancelib import StanceClassifier
    >>> X = [("We welcome the accord.", "accord"),
    ...      ("We reject the embargo.", "embargo")]
    >>> model = StanceClassifier().fit(X, ["support", "opposition"])
    >>> evaluate(model, X, ["support", "opposition"]).macro_f1
    1.0
    """
    pairs = check_pairs(X)
    return stance_scores(y, model.predict(pairs), pairs["target"])
