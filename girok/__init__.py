"""girok (기록): offline-first document digitization and archive."""

__version__ = "0.1.0"
