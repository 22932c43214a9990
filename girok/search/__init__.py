"""Korean-aware full-text search over the archive (Whoosh)."""
