"""Capture: hot-folder watching, stability, claiming, normalizing, and the ingest pipeline."""
