from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value, fig) -> str:
    """A figure's value as shown on a tile: a share as a percentage, a count whole, an average to one decimal."""
    if value is None:
        return "—"
    if fig.percent:
        return f"{number_format(value * 100, 1)}%"
    if float(value).is_integer():
        return number_format(int(value), use_l10n=True, force_grouping=True)
    return number_format(value, 1)


@register.filter
def value_of(values: dict, key: str):
    return values.get(key)
