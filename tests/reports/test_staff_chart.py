"""The summary chart staff get in Telegram reads well when there is little or nothing to
show: counts from zero in whole numbers, and a sentence instead of an empty frame."""

from __future__ import annotations

import pytest

from bot.reports.model import Chart, Series
from bot.reports.staff import ChartWords, draw_summary

WORDS = ChartWords("New and active people each week", "New", "Active", "Nobody to count yet.")


def axes_of(chart: Chart) -> tuple[list[float], list[str]]:
    """Draw as draw_summary does and read back the y ticks and every text on the chart."""
    from matplotlib.figure import Figure

    captured: dict[str, Figure] = {}
    original = Figure.savefig

    def keep(self: Figure, *args: object, **kwargs: object) -> None:
        captured["figure"] = self
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Figure, "savefig", keep)
        png = draw_summary(chart, WORDS)
    assert png.startswith(b"\x89PNG")
    ax = captured["figure"].axes[0]
    return list(ax.get_yticks()), [t.get_text() for t in ax.texts]


def chart(new: tuple[float | None, ...], active: tuple[float | None, ...]) -> Chart:
    labels = tuple(f"{i + 1} Nov" for i in range(len(new)))
    return Chart("people", "People", "bars", labels, (Series("New", new), Series("Active", active)))


def test_nothing_to_show_says_so_and_never_draws_below_zero() -> None:
    ticks, texts = axes_of(chart((0,), (None,)))
    assert min(ticks) >= 0 and all(t == int(t) for t in ticks)
    assert texts == ["Nobody to count yet."]


def test_counts_are_whole_numbers_from_zero_and_no_sentence_over_bars() -> None:
    ticks, texts = axes_of(chart((10, 15, None), (20, 25, 30)))
    assert min(ticks) == 0 and all(t == int(t) for t in ticks)
    assert texts == []
