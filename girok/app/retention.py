"""The records-law cycle as use cases: the schedule, the committee's review and decisions, lawful disposal,
re-classification, and legal holds. Dates and classes arrive as the person typed them (strings) and are
checked here, so every front end refuses the same things with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..archive.layout import Archive
from ..errors import UsageError
from ..i18n import _


@dataclass
class ReviewResult:
    review: object  # retention.review.ReviewList
    as_of: str
    file: str | None
    archive_name: str

    def summary(self) -> dict:
        rl = self.review
        return {"review": rl.id, "as_of": self.as_of, "new": rl.created, "due": len(rl.due),
                "held": len(rl.held), "approved": len(rl.approved), "file": self.file,
                "groups": [{"class": c, "type": t, "count": len(i)} for c, t, i in rl.groups()]}

    def as_dict(self) -> dict:
        """The whole review (what the committee gets as JSON)."""
        from ..retention.reviewfile import review_dict

        return review_dict(self.review, self.archive_name)


def review(arch: Archive, *, as_of: str | None = None, out_file: Path | None = None) -> ReviewResult:
    """What is due for disposal on ``as_of`` (default: today in Korea); with ``out_file`` (.csv or .json) the
    review file for the committee is written."""
    from ..retention.review import review as make_review
    from ..retention.reviewfile import check_format, write_review
    from ..retention.schedule import parse_date, today

    when = parse_date(as_of, "--as-of") if as_of else today()
    if out_file is not None:
        check_format(out_file)
    rl = make_review(arch, when)
    if out_file is not None:
        write_review(rl, arch.config.name, out_file)
    return ReviewResult(review=rl, as_of=when.isoformat(), file=str(out_file) if out_file else None,
                        archive_name=arch.config.name)


def decide(arch: Archive, file: Path, *, meeting: str, meeting_date: str | None = None):
    """Record the committee's decisions from a filled-in review file; refuses (RetentionRefused, exit 13) a file
    that does not match its review. ``meeting`` names the 기록물평가심의회 that decided and ``meeting_date`` the
    day it met (recorded as "NAME (YYYY-MM-DD)"); both are checked before the file is read. Returns
    ``retention.decide`` 's result."""
    from ..retention.decide import decide as record
    from ..retention.schedule import parse_date, today

    if not (meeting or "").strip():
        raise UsageError(_("the decisions need the committee meeting that made them"),
                         hint=_("Give --meeting \"2027년 제1차 기록물평가심의회\" --meeting-date 2027-01-15."))
    name = " ".join(meeting.split())
    if meeting_date is not None:
        day = parse_date(meeting_date, "--meeting-date")
        if day > today():
            raise UsageError(_("--meeting-date {day} is in the future: record decisions after the meeting").format(
                                 day=day))
        name = f"{name} ({day.isoformat()})"
    if not file.is_file():
        raise UsageError(_("{file}: no such file").format(file=file))
    return record(arch, file, meeting=name)


def dispose(arch: Archive, *, dry_run: bool = False):
    """Destroy what the committee approved, is due and is not on hold, and write the disposal certificate.
    Returns ``retention.disposal`` 's report; ``report.problems`` lists what is left unfinished."""
    from ..retention.disposal import dispose as destroy

    return destroy(arch, dry_run=dry_run)


def classify(arch: Archive, ids: list[str], *, doc_type: str | None = None, new_class: str | None = None,
             completed: str | None = None, reason: str) -> list:
    """Re-classify documents (a new class and/or completion date), audited with the reason."""
    from ..retention.schedule import CLASSES, parse_class, parse_date, reclassify

    cls = None
    if new_class is not None:
        cls = parse_class(new_class)
        if cls is None:
            raise UsageError(_("--class {new_class!r} is not a retention class").format(new_class=new_class),
                             hint=_("Use one of {classes}.").format(classes=', '.join(CLASSES)))
    when = parse_date(completed, "--completed") if completed else None
    return reclassify(arch, ids, doc_type=doc_type, new_class=cls, completed_on=when, reason=reason)


def schedule(arch: Archive) -> dict:
    """The retention schedule from girok.toml and how many documents each class holds (documents that were never
    classified are classified first)."""
    from ..retention.schedule import class_counts, classify_unclassified, load_schedule

    sched = load_schedule(arch.config)
    classify_unclassified(arch)
    return {"default": sched.default, "types": sched.types, "profiles": sched.profiles,
            "documents": class_counts(arch)}


@dataclass
class HoldView:
    """A hold as front ends show it: ``retention.holds.HoldInfo`` (its attributes read through), and as JSON
    the hold with its ``documents`` as document objects (app.shapes) and times in the archive's zone."""

    info: object  # retention.holds.HoldInfo
    data: dict

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "info":  # copy/pickle look before the field is set
            raise AttributeError(name)
        return getattr(self.info, name)

    def as_dict(self) -> dict:
        return self.data


def hold_view(arch: Archive, info) -> HoldView:
    """The hold with its documents as document objects, each with the record file it is in (``file``: id,
    number, title; null when unfiled)."""
    from ..retention.files import files_of
    from .shapes import documents_json

    docs = documents_json(arch, info.documents)
    files = files_of(arch, info.documents)
    for d in docs:
        f = files.get(d["id"])
        d["file"] = {"id": f.id, "number": f.number, "title": f.title} if f else None
    return HoldView(info, {**info.as_dict(arch.tz), "documents": docs})


@dataclass
class HoldAdded:
    info: HoldView
    dry_run: bool
    unindexed: int  # documents a --query could not see (not in the search index yet)

    def as_dict(self) -> dict:
        return {**self.info.as_dict(), "dry_run": self.dry_run}


def add_hold(arch: Archive, *, reason: str, ids: list[str] | None = None, query: str | None = None,
             dry_run: bool = False, files: list[str] | None = None) -> HoldAdded:
    """Place a legal hold on documents named by ``ids`` (commas allowed), on every live item of the record
    ``files`` (ids or classification numbers), or on those found now by ``query``."""
    from ..retention.files import file_detail
    from ..retention.holds import add_hold as place

    regs = [r.strip() for raw in ids or [] for r in raw.split(",") if r.strip()]
    for ident in files or []:
        _info, items = file_detail(arch, ident)
        live = [i.reg_no for i in items if not i.disposed]
        if not live:
            raise UsageError(_("record file {ident} holds no live documents").format(ident=ident))
        regs += [r for r in live if r not in regs]
    info = place(arch, reason=reason, reg_nos=regs, query=query, dry_run=dry_run)
    return HoldAdded(info=hold_view(arch, info), dry_run=dry_run, unindexed=arch.catalog.counts()["unindexed"] if query else 0)


def release_hold(arch: Archive, hold: int, *, reason: str) -> tuple[HoldView, bool]:
    """Release a hold; returns (the hold, released_now)."""
    from ..retention.holds import release_hold as release

    info, now = release(arch, hold, reason=reason)
    return hold_view(arch, info), now


def list_holds(arch: Archive, *, include_released: bool = False) -> list[HoldView]:
    from ..retention.holds import list_holds as holds

    return [hold_view(arch, h) for h in holds(arch, include_released=include_released)]
