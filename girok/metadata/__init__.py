"""Metadata read from page text and codes: document type, dates, receipt number, applicant, QR/PATCH, title."""
