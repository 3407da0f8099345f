"""Charts of a match model and of one explanation (needs the ``plot`` extra: matplotlib).

``MatchModel.plot_weights()`` and ``Explanation.plot()`` call these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from custmatch.model.core import Explanation, MatchModel

__all__ = ["plot_waterfall", "plot_weights"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("charts need matplotlib: pip install 'custmatch[plot]'") from exc
    return plt


def plot_weights(model: MatchModel) -> Any:
    """One horizontal bar per comparison level: its match weight (log2 m/u), with m and u
    in the label. Returns the matplotlib Figure."""
    plt = _pyplot()
    table = model.weights()
    table = table[table["level"] >= 0]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(table) + 1))
    labels = [f"{r.comparison}: {r.label} (m={r.m:.3f}, u={r.u:.2g})"
              for r in table.itertuples()]
    colours = ["tab:green" if w >= 0 else "tab:red" for w in table["weight"]]
    ax.barh(range(len(table)), table["weight"], color=colours)
    ax.set_yticks(range(len(table)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("match weight (log2 m/u)")
    fig.tight_layout()
    return fig


def plot_waterfall(explanation: Explanation) -> Any:
    """The steps from the prior to a pair's final weight as a waterfall chart. Returns the
    matplotlib Figure."""
    plt = _pyplot()
    steps = explanation.waterfall()
    starts = steps["cumulative"] - steps["weight"]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(steps) + 1.2))
    colours = ["tab:gray" if i == 0 else ("tab:green" if w >= 0 else "tab:red")
               for i, w in enumerate(steps["weight"])]
    ax.barh(range(len(steps)), steps["weight"], left=starts, color=colours)
    ax.set_yticks(range(len(steps)), steps["step"], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("match weight (log2 odds)")
    ax.set_title(f"{explanation.left_id} ~ {explanation.right_id}: "
                 f"p = {explanation.match_probability:.4f}", fontsize=9)
    fig.tight_layout()
    return fig
