"""Small helpers shared by the benchmark scripts."""

from __future__ import annotations

import pandas as pd


def to_markdown(table: pd.DataFrame, digits: int = 3) -> str:
    """Render a DataFrame as a GitHub Markdown table (no extra dependency)."""

    def cell(value):
        if isinstance(value, float):
            return "" if pd.isna(value) else f"{value:.{digits}f}"
        return str(value)

    lines = [
        "| " + " | ".join(map(str, table.columns)) + " |",
        "|" + "---|" * len(table.columns),
    ]
    lines += [
        "| " + " | ".join(cell(v) for v in row) + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join(lines)
