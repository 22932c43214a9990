"""Field filter values as every engine indexes and matches them."""

from __future__ import annotations

from ..errors import UsageError
from .base import normalize_receipt
from ..text.periods import CLASSES, parse_class
from .query import Filter


def filter_value(node: Filter) -> str:
    if node.name == "receipt":
        return normalize_receipt(node.value)
    if node.name == "retention":
        cls = parse_class(node.value)
        if cls is None:
            raise UsageError(f"retention:{node.value} is not a retention class",
                             hint=f"Use one of {', '.join(CLASSES)} (or 10y, permanent, ...).")
        return cls
    return node.value
