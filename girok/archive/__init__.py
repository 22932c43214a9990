"""Keeping records: store, catalog, PDF/A checks (and later retention, audit, fixity)."""
