"""Recording the committee's decisions (기록물평가심의회) from the edited review file.

For each reviewed document: dispose (폐기; carried out later by ``dispose``),
reset (재책정: a new class, applied now as an audited re-classification)
or defer (보류: not due again until a date). An empty decision leaves the
document undecided; it is listed again by the next review.

The file must match what was reviewed, exactly: the same review, every
reviewed document once and no other, with the class, type and dates it
was shown with, and no document re-classified since. Otherwise nothing is
recorded. Recording the same file twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import RetentionRefused
from ..catalog import repository as catalog
from ..catalog.repository import Tx
from .schedule import CLASSES, reindex_changed, apply_change, korean_date, parse_class
from ..catalog.retention_models import Review, ReviewItem
from .reviewfile import Row, loose_date, read_rows
from ..i18n import _

log = logging.getLogger(__name__)

ACTIONS = {"dispose": "dispose", "폐기": "dispose", "reset": "reset", "재책정": "reset",
           "defer": "defer", "보류": "defer"}
SHOWN = 5  # problems named in one message


@dataclass
class Decided:
    reg_no: str
    action: str
    new_class: str | None = None
    defer_until: date | None = None
    note: str = ""
    status: str = "recorded"  # recorded | already recorded | already disposed of
    held: bool = False

    def as_dict(self) -> dict:
        return {"id": self.reg_no, "decision": self.action, "new_class": self.new_class,
                "defer_until": self.defer_until.isoformat() if self.defer_until else None, "note": self.note,
                "status": self.status, "held": self.held}


@dataclass
class DecideResult:
    review: int
    meeting: str
    decided: list[Decided] = field(default_factory=list)
    undecided: int = 0

    def counts(self) -> dict[str, int]:
        c = {"dispose": 0, "reset": 0, "defer": 0, "undecided": self.undecided, "already": 0}
        for d in self.decided:
            c[d.action if d.status == "recorded" else "already"] += 1
        return c


def _parse(row: Row, as_of: date, problems: list[str]) -> Decided | None:
    """The decision in one row (None: undecided); what is wrong with it goes to ``problems``."""
    raw = row.decision.strip().lower()
    if not raw:
        if row.new_class or row.defer_until:
            problems.append(_("{where} ({reg_no}): new_class/defer_until given but no decision").format(
                                where=row.where, reg_no=row.reg_no))
        return None
    action = ACTIONS.get(raw)
    if action is None:
        problems.append(_("{where} ({reg_no}): decision {decision!r} is not dispose (폐기), reset (재책정) or defer (보류)").format(
                            where=row.where, reg_no=row.reg_no, decision=row.decision))
        return None
    new_class = parse_class(row.new_class) if row.new_class else None
    defer = loose_date(row.defer_until) if row.defer_until else None
    bad = None
    if action != "reset" and row.new_class:
        bad = _("new_class is only for reset (재책정), not {action}").format(action=action)
    elif action != "defer" and row.defer_until:
        bad = _("defer_until is only for defer (보류), not {action}").format(action=action)
    elif action == "reset" and new_class is None:
        bad = _("reset needs new_class, one of {classes} (got {new_class!r})").format(
                  classes=', '.join(CLASSES), new_class=row.new_class)
    elif action == "reset" and new_class == parse_class(row.retention_class):
        bad = _("reset to the class it already has ({new_class})").format(new_class=new_class)
    elif action == "defer" and (defer is None or defer <= as_of):
        bad = _("defer needs defer_until, a date after the review date {as_of} (got {defer_until!r})").format(
                  as_of=as_of, defer_until=row.defer_until)
    if bad:
        problems.append(_("{where} ({reg_no}): {bad}").format(where=row.where, reg_no=row.reg_no, bad=bad))
        return None
    return Decided(row.reg_no, action, new_class, defer, row.note)


def _match(rows: list[Row], review: Review, items: dict[str, ReviewItem], problems: list[str]) -> None:
    """Does the file show exactly what was reviewed?"""
    seen: set[str] = set()
    for r in rows:
        it = items.get(r.reg_no)
        if r.review != str(review.id) or loose_date(r.as_of) != review.as_of:
            problems.append(_("{where} ({reg_no}): belongs to another review ({review}, as of {as_of})").format(
                                where=r.where, reg_no=r.reg_no, review=r.review, as_of=r.as_of))
        elif r.reg_no in seen:
            problems.append(_("{where}: {reg_no} appears twice").format(where=r.where, reg_no=r.reg_no))
        elif it is None:
            problems.append(_("{where}: {reg_no} was not in review {id}").format(
                                where=r.where, reg_no=r.reg_no or _('(no registration number)'), id=review.id))
        else:
            shown = (it.retention_class, it.doc_type, it.completed_on, it.due_on)
            got = (parse_class(r.retention_class), r.doc_type, loose_date(r.completed_on), loose_date(r.due_on))
            if got != shown:
                problems.append(_("{where} ({reg_no}): class/type/dates were changed in the file (reviewed: {cls}, "
                                  "{doc_type}, completed {completed}, due {due})").format(
                                    where=r.where, reg_no=r.reg_no, cls=shown[0], doc_type=shown[1] or '-',
                                    completed=shown[2], due=shown[3]))
        seen.add(r.reg_no)
    for reg in sorted(set(items) - seen):
        problems.append(_("{reg} was reviewed but is missing from the file").format(reg=reg))


def _check_state(tx: Tx, review: Review, items: dict[str, ReviewItem], decided: list[Decided],
                 problems: list[str]) -> None:
    """Against the catalog now: earlier decisions, disposals, re-classifications, holds."""
    regs = [d.reg_no for d in decided]
    earlier = tx.decisions_of_review(review.id)
    current = tx.retentions_by_reg_no(regs)
    held = tx.active_holds(regs)
    for d in decided:
        ex, it, now_ = earlier.get(d.reg_no), items[d.reg_no], current.get(d.reg_no)
        if ex is not None:
            if (ex.action, ex.new_class, ex.defer_until) != (d.action, d.new_class, d.defer_until):
                problems.append(_("{reg_no}: already decided in review {id} as {action} on {day}; a recorded "
                                  "decision stands").format(
                                    reg_no=d.reg_no, id=review.id, action=ex.action, day=korean_date(ex.decided_at)))
            d.status = "already recorded"
        elif now_ is None:
            if tx.tombstone(d.reg_no) is None:
                problems.append(_("{reg_no}: no longer in the catalog").format(reg_no=d.reg_no))
            d.status = "already disposed of"
        elif (now_.retention_class, now_.completed_on) != (it.retention_class, it.completed_on):
            problems.append(_("{reg_no}: re-classified since the review (now {retention_class}, completed "
                              "{completed_on}); review again").format(
                                reg_no=d.reg_no, retention_class=now_.retention_class, completed_on=now_.completed_on))
        d.held = d.reg_no in held


def _refuse(path: Path, review: int | str, problems: list[str]) -> RetentionRefused:
    more = "\n  " + _("... and {n} more").format(n=len(problems) - SHOWN) if len(problems) > SHOWN else ""
    return RetentionRefused(_("{name} does not match review {review}; nothing was recorded:").format(
                                name=path.name, review=review) + "\n  " + "\n  ".join(problems[:SHOWN]) + more)


def decide(arch, path: Path, *, meeting: str = "") -> DecideResult:
    rows = read_rows(path)
    if not rows:
        raise RetentionRefused(_("{name}: no reviewed documents in it (rows of kind 'due')").format(name=path.name))
    ids = {r.review for r in rows}
    if len(ids) != 1 or not next(iter(ids)).isdigit():
        raise RetentionRefused(_("{name}: rows name {n} different reviews ({reviews})").format(
                                   name=path.name, n=len(ids), reviews=', '.join(sorted(ids))[:80]))
    at, actor = catalog.now(), catalog.actor()
    with arch.catalog.transaction("the decisions") as tx:
        review = tx.review(int(ids.pop()))
        if review is None:
            raise RetentionRefused(_("{name}: review {review} is not in this archive").format(
                                       name=path.name, review=rows[0].review))
        items = tx.review_items(review.id)
        problems: list[str] = []
        _match(rows, review, items, problems)
        parsed = [_parse(r, review.as_of, problems) for r in rows]
        decided = [d for d in parsed if d is not None]
        if not problems:
            _check_state(tx, review, items, decided, problems)
        if problems:
            raise _refuse(path, review.id, problems)
        result = DecideResult(review.id, meeting, decided, undecided=len(rows) - len(decided))
        for d in decided:
            if d.status == "recorded":
                _record(tx, review, d, meeting=meeting, at=at, actor=actor)
    reindex_changed(arch, [d.reg_no for d in decided if d.status == "recorded" and d.action == "reset"])
    return result


def _record(tx: Tx, review: Review, d: Decided, *, meeting: str, at, actor: str) -> None:
    doc = tx.document(d.reg_no)
    ref = f"review {review.id}" + (f", {meeting}" if meeting else "")
    outcome = ""
    if d.action == "reset":
        change = apply_change(tx, doc, new_class=d.new_class, completed_on=None, reason=f"committee: {ref}"
                              + (f": {d.note}" if d.note else ""), basis=f"committee: {ref}", at=at)
        outcome = f"class {change.old_class} -> {change.new_class}, due {change.due_on or 'never'}"
    elif d.action == "defer":
        tx.update_retention(doc.id, deferred_until=d.defer_until)
        outcome = f"deferred until {d.defer_until}"
    row = tx.add_decision(review_id=review.id, reg_no=d.reg_no, action=d.action, new_class=d.new_class,
                          defer_until=d.defer_until, note=d.note, meeting=meeting, decided_at=at, actor=actor,
                          status="pending" if d.action == "dispose" else "done",
                          executed_at=None if d.action == "dispose" else at, outcome=outcome)
    tx.append_event(at=at, actor=actor, action="retention-decide", reg_no=d.reg_no,
                 detail={"review": review.id, "decision": row.id, "action": d.action, "new_class": d.new_class,
                         "defer_until": d.defer_until, "note": d.note, "meeting": meeting})
    log.info("decision %d on %s (review %d): %s %s", row.id, d.reg_no, review.id, d.action, outcome)
