"""One exception hierarchy for girok.

Every error carries the process exit code the CLI returns for it and a
message that says what happened and what to do. The library raises these;
only ``girok.cli`` turns them into exit codes and printed messages.
The codes are the members of ``ExitCode`` (modelled on OCRmyPDF's
``ocrmypdf.exceptions.ExitCode``); the README's "Exit codes" table lists the
same ones, and tests/test_exit_codes.py keeps the table and every help text
in step with the enum.
"""

from __future__ import annotations

from enum import IntEnum

from .i18n import N_, _, translate


class ExitCode(IntEnum):
    """Every exit code of the ``girok`` command, one member per row of the README's table.

    An ``IntEnum``: ``sys.exit(ExitCode.LOCKED)`` exits with 5, and
    ``ExitCode.LOCKED == 5``. Help texts cite a code with :meth:`cite`, so
    the number and its meaning cannot drift apart.
    """

    OK = 0
    GENERAL = 1  # general error; also `search` found nothing, `doctor` found problems
    USAGE = 2  # unknown command or option, bad argument
    CONFIG = 3  # girok.toml or a scanner profile is missing or invalid
    NOT_AN_ARCHIVE = 4  # the archive folder is not a girok archive
    LOCKED = 5  # another girok process holds the archive's watch lock
    NOT_FOUND = 6  # no such document (or it was disposed of)
    MISSING_PROGRAM = 7  # tesseract, its Korean data, ghostscript, ... is not installed
    INDEX_OUTDATED = 8  # the search index is from another girok version
    QUARANTINED = 10  # a batch finished but some inputs were quarantined (or skipped)
    STORE = 11  # the archive store could not be written (disk full, permissions)
    CATALOG = 12  # the catalog could not be written
    RETENTION_REFUSED = 13  # `retention decide` refused the review file
    AUDIT_BROKEN = 20  # `audit verify`: the audit trail does not verify
    FIXITY_FAILED = 21  # `fixity check`: missing, changed, unreadable or orphan files
    BAG_REJECTED = 22  # `import`: the bag failed validation or conflicts; nothing imported
    BACKUP_FAILED = 23  # `backup`: not every file could be copied; `backup verify`: the copy does not verify
    INTERRUPTED = 130  # Ctrl-C

    def cite(self) -> str:
        """How help texts name this code: ``ExitCode.AUDIT_BROKEN.cite() == "exit code 20 (AUDIT_BROKEN)"``."""
        return _("exit code {code} ({name})").format(code=self.value, name=self.name)


class GirokError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code = ExitCode.GENERAL
    hint = ""

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self):
        # Errors cross process boundaries (OCR workers): keep keyword arguments when pickled.
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))

    def __str__(self) -> str:  # message, then what to do (a class's hint is marked N_ and translated here)
        msg = super().__str__()
        return f"{msg}\n  -> {translate(self.hint)}" if self.hint else msg


class UsageError(GirokError):
    """The command line asked for something that cannot be done as asked."""

    exit_code = ExitCode.USAGE


class ConfigError(GirokError):
    """The archive config or a scanner profile is missing or invalid."""

    exit_code = ExitCode.CONFIG
    hint = N_("Fix the file named above (see README, 'Configuration'), then run the command again.")


class ArchiveNotFound(GirokError):
    exit_code = ExitCode.NOT_AN_ARCHIVE
    hint = N_("Create one with `girok --archive DIR init`, or point --archive / GIROK_ARCHIVE at an existing archive.")


class ArchiveLocked(GirokError):
    """Another girok process holds the archive's watch lock."""

    exit_code = ExitCode.LOCKED


class NotFound(GirokError):
    """A document (or other record) that was asked for does not exist."""

    exit_code = ExitCode.NOT_FOUND


class MissingDependency(GirokError):
    """An external program (tesseract, ghostscript, ...) is not installed."""

    exit_code = ExitCode.MISSING_PROGRAM


class IndexOutdated(GirokError):
    """The search index was built with another schema version."""

    exit_code = ExitCode.INDEX_OUTDATED
    hint = N_("Run `girok reindex` to rebuild the search index from the catalog.")


class InputRejected(GirokError):
    """An input file cannot be archived; it is quarantined with this reason.

    ``stage`` names the pipeline step that failed, ``advice`` what a clerk
    can do about it. Raised inside the pipeline, never reaches the CLI as
    such: the CLI reports quarantined files and exits with ``exit_code``.
    """

    exit_code = ExitCode.QUARANTINED

    def __init__(self, message: str, *, stage: str, advice: str):
        super().__init__(message, hint=advice)
        self.stage = stage
        self.advice = advice


class StorageError(GirokError):
    """Writing to or reading from the archive store failed (disk full, permissions)."""

    exit_code = ExitCode.STORE
    hint = N_("Check free space and permissions of the archive folder, then run `girok doctor`.")


class CatalogError(GirokError):
    exit_code = ExitCode.CATALOG
    hint = N_("Run `girok doctor`; if it persists, restore the catalog from backup.")


class CatalogUnavailable(CatalogError):
    """The catalog's database server cannot be reached now, or cut the connection (restarting, failing over, the
    network away): a passing state, unlike a refused login. The statement that failed did not happen, except
    that a transaction cut while committing may have been committed: whoever tries its work again checks
    (``Catalog.commit_capture(again=True)``)."""


class AuditBroken(GirokError):
    """The audit trail does not verify: an event was edited, removed, inserted or moved."""

    exit_code = ExitCode.AUDIT_BROKEN
    hint = N_("The catalog was changed outside girok. Keep this copy for investigation, compare it with "
              "the catalog backup and the last audit hash you recorded, and restore from backup.")


class FixityFailed(GirokError):
    """Stored files are missing, changed, unreadable, or not in the catalog."""

    exit_code = ExitCode.FIXITY_FAILED
    hint = N_("Put the named files back with `girok restore BAG-or-COPY` (an export of the documents, or a backup: "
              "any copy with the SHA-256 in the catalog); `girok doctor` explains files the catalog does not know.")


class BagRejected(GirokError):
    """A bag failed validation or cannot be imported into this archive; nothing was imported."""

    exit_code = ExitCode.BAG_REJECTED
    hint = N_("Nothing was imported. Ask the sender for a fresh copy of the bag, or check it with "
              "`bagit.py --validate`.")


class BackupFailed(GirokError):
    """A backup could not copy every file, or a backup copy does not verify."""

    exit_code = ExitCode.BACKUP_FAILED
    hint = ("Run `girok fixity check` on the archive (a damaged stored file is never copied) and `girok backup` "
            "again; a copy that does not verify cannot be trusted for repair: make a new one elsewhere.")


def _rebuild(cls, message, state):
    err = Exception.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


# Exit code used when a batch finished but some inputs were quarantined (an alias kept for callers).
EXIT_QUARANTINED = ExitCode.QUARANTINED


class Disposed(NotFound):
    """The document asked for was lawfully disposed of; only its tombstone remains (exit code of NotFound)."""


class RetentionRefused(GirokError):
    """A retention step was refused: a decision file that does not match its review, an invalid decision, ..."""

    exit_code = ExitCode.RETENTION_REFUSED
    hint = N_("Nothing was changed. Fix what the message names, or run `girok retention review` again.")
