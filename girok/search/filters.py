"""Field filter values as every engine indexes and matches them."""

from __future__ import annotations

from ..errors import UsageError
from .base import normalize_receipt
from ..text.periods import CLASSES, parse_class
from .query import Filter
from ..i18n import _


def filter_value(node: Filter) -> str:
    if node.name == "receipt":
        return normalize_receipt(node.value)
    if node.name == "retention":
        cls = parse_class(node.value)
        if cls is None:
            raise UsageError(_("retention:{value} is not a retention class").format(value=node.value),
                             hint=_("Use one of {classes} (or 10y, permanent, ...).").format(
                                      classes=', '.join(CLASSES)))
        return cls
    return node.value
