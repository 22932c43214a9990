"""Pure text helpers (no I/O beyond the RRN key file): Hangul, OCR-noise folding, RRN masking, retention periods."""
