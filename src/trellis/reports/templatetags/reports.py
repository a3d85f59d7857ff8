"""Formatting for reports: shares in [0, 1] as percentages and differences as points."""

from django import template

register = template.Library()
NO_VALUE = "\u2013"  # an en dash, as the pages show a missing figure


@register.filter
def percent(value) -> str:
    if value is None:
        return NO_VALUE
    return f"{100 * value:.1f} %"


@register.filter
def points(value) -> str:
    if value is None:
        return NO_VALUE
    shown = 100 * value
    return f"{shown:+.1f} points" if round(shown, 1) else "0.0 points"


@register.filter
def pair(first, second) -> list:
    """The two values that are not None, as a list to loop over."""
    return [v for v in (first, second) if v is not None]


@register.filter
def money(value, currency: str = "") -> str:
    if value is None:
        return NO_VALUE
    amount = f"{abs(value):,.0f}"
    return f"{'-' if value < 0 else ''}{currency} {amount}".strip()


# The summary's bar chart: 48 px per month, 90 px for up to 6 meetings a month (above: capped).
BAR_STEP = 48
BAR_AREA = 90
BAR_MAX = 6


@register.filter
def bar_height(value) -> float:
    return round(min(float(value or 0), BAR_MAX) / BAR_MAX * BAR_AREA, 1)


@register.filter
def bar_y(value) -> float:
    return round(BAR_AREA - bar_height(value), 1)


@register.filter
def bar_x(index) -> int:
    return int(index) * BAR_STEP


@register.filter
def number(value) -> str:
    """A figure with at most two decimals and no trailing zeros: 71.1, 3.26, 90."""
    if value is None:
        return NO_VALUE
    return f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
