"""A document's title when no form title was recognised: its first line of text."""

from __future__ import annotations


def title_from_text(texts: list[str], fallback: str) -> str:
    for page in texts:
        for line in page.splitlines():
            line = " ".join(line.split())
            if len(line) >= 2:
                return line[:80]
    return fallback
