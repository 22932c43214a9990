"""A resident front end (`girok serve`): what to load once at start rather than on the first request."""

from __future__ import annotations

from ..archive.layout import Archive
from ..catalog.web_sessions import PendingRrn, SessionStore  # noqa: F401 - the web's sessions, through this layer


def warm_up(arch: Archive) -> None:
    """Open the search index and load the Korean analyser (Kiwi) with one search that is not recorded: nobody asked
    it, nothing is shown."""
    from ..search import query as q

    arch.index.find(q.parse("민원실 신고서를"), limit=1, offset=0, sort="relevance", filters=[])
    from ..search.analysis import kiwi

    kiwi()  # a query word the lexicon does not know needs it

