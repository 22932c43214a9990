"""Retention under the Public Records Act: schedule, review, decisions, disposal, holds, certificates."""
