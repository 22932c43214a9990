"""Compile girok's .po catalogs to .mo, and collect the msgids the code marks (pure Python, no gettext tools).

    python -m girok.locale.build            # every locale/*/LC_MESSAGES/girok.po -> girok.mo
    python -m girok.locale.build --update   # first add new msgids to each .po (translations kept), then compile
    python -m girok.locale.build --check    # exit 1 if a .mo is stale or a marked msgid has no translation

What the code marks: the first argument of ``_()`` and ``N_()``, ``pgettext(context, msgid)``,
``ngettext(singular, plural, n)`` (string literals only: a non-literal is reported), and the docstrings
of the typer commands in girok/cli (their help texts; girok/cli/main.py translates them at start-up).
Entries no longer in the code are kept at the end of the .po as obsolete (``#~``), not compiled.
The .mo format is GNU gettext's (what ``gettext.GNUTranslations`` reads); fuzzy and empty entries are left out.
"""

from __future__ import annotations

import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parent
PACKAGE = LOCALE.parent
DOMAIN = "girok"
MARKERS = {"_", "N_"}  # one argument: the msgid


# --- the .po format ------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=lambda: [""])
    comments: list[str] = field(default_factory=list)  # "#." extracted, "#:" where, "#," flags, "# " translator
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid

    @property
    def fuzzy(self) -> bool:
        return any(c.startswith("#,") and "fuzzy" in c for c in self.comments)

    @property
    def translated(self) -> bool:
        return all(self.msgstr) and not self.fuzzy


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, got {text!r}")
    out, i, body = [], 0, text[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt not in escapes:
                raise ValueError(f"{where}: unknown escape \\{nxt}")
            out.append(escapes[nxt])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_po(text: str, name: str = "girok.po") -> list[Entry]:
    """The entries of a .po file, the header (msgid "") first; obsolete (#~) entries are marked as such."""
    entries: list[Entry] = []
    cur: Entry | None = None
    comments: list[str] = []
    target: tuple[str, int] | None = None  # which field a continued "..." line adds to
    seen_msgstr = False

    def finish():
        nonlocal cur, seen_msgstr
        if cur is not None:
            entries.append(cur)
        cur, seen_msgstr = None, False

    for n, raw in enumerate(text.splitlines(), start=1):
        where = f"{name}:{n}"
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#"):
            if cur is not None and seen_msgstr:
                finish()
            comments.append(line)
            continue
        keyword, _sep, rest = line.partition(" ")
        if line.startswith('"'):
            if cur is None or target is None:
                raise ValueError(f"{where}: a continued string outside an entry")
            value = _unquote(line, where)
            fld, idx = target
            if fld == "msgstr":
                cur.msgstr[idx] += value
            else:
                setattr(cur, fld, (getattr(cur, fld) or "") + value)
            continue
        if keyword in ("msgctxt", "msgid") and (cur is None or seen_msgstr or
                                                (keyword == "msgctxt" and cur.msgid)):
            finish()
        if cur is None:
            cur = Entry(msgid="", comments=comments, obsolete=obsolete)
            comments = []
        if keyword == "msgctxt":
            cur.msgctxt, target = _unquote(rest, where), ("msgctxt", 0)
        elif keyword == "msgid":
            cur.msgid, target = _unquote(rest, where), ("msgid", 0)
        elif keyword == "msgid_plural":
            cur.msgid_plural, target = _unquote(rest, where), ("msgid_plural", 0)
        elif keyword == "msgstr":
            cur.msgstr, target, seen_msgstr = [_unquote(rest, where)], ("msgstr", 0), True
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            idx = int(keyword[7:-1])
            if not seen_msgstr:
                cur.msgstr = []
            while len(cur.msgstr) <= idx:
                cur.msgstr.append("")
            cur.msgstr[idx], target, seen_msgstr = _unquote(rest, where), ("msgstr", idx), True
        else:
            raise ValueError(f"{where}: unknown keyword {keyword!r}")
    finish()
    return entries


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


def _field(keyword: str, value: str, prefix: str = "") -> list[str]:
    """A field as gettext writes it: one line, or "" then one line per line of the text."""
    if "\n" not in value.rstrip("\n"):
        return [f"{prefix}{keyword} {_quote(value)}"]
    parts = value.splitlines(keepends=True)
    return [f'{prefix}{keyword} ""'] + [prefix + _quote(p) for p in parts]


def format_po(entries: list[Entry]) -> str:
    out: list[str] = []
    for e in entries:
        p = "#~ " if e.obsolete else ""
        out += [c for c in e.comments if not (e.obsolete and c.startswith("#:"))]
        if e.msgctxt is not None:
            out += _field("msgctxt", e.msgctxt, p)
        out += _field("msgid", e.msgid, p)
        if e.msgid_plural is not None:
            out += _field("msgid_plural", e.msgid_plural, p)
            for i, s in enumerate(e.msgstr):
                out += _field(f"msgstr[{i}]", s, p)
        else:
            out += _field("msgstr", e.msgstr[0], p)
        out.append("")
    return "\n".join(out)


def compile_mo(entries: list[Entry]) -> bytes:
    """The GNU .mo of ``entries``: translated, not fuzzy, not obsolete; the header always."""
    pairs: dict[bytes, bytes] = {}
    for e in entries:
        if e.obsolete or (e.msgid and not e.translated):
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        if e.msgctxt is not None:
            key = f"{e.msgctxt}\x04{key}"
        pairs[key.encode()] = "\0".join(e.msgstr).encode()
    keys = sorted(pairs)
    n = len(keys)
    originals_at = 7 * 4
    translations_at = originals_at + n * 8
    data_at = translations_at + n * 8
    tables, blob = [], b""
    for strings in (keys, [pairs[k] for k in keys]):
        table = []
        for s in strings:
            table.append((len(s), data_at + len(blob)))
            blob += s + b"\0"
        tables.append(table)
    head = struct.pack("<7I", 0x950412DE, 0, n, originals_at, translations_at, 0, data_at)
    body = b"".join(struct.pack("<2I", *t) for table in tables for t in table)
    return head + body + blob


# --- what the code marks ---------------------------------------------------------------------


@dataclass
class Found:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    where: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _callee(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _commands(tree: ast.Module) -> set[str]:
    """Names of the functions a module registers as typer commands: ``@x.command(...)`` or ``x.command(...)(f)``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                if isinstance(target, ast.Attribute) and target.attr == "command":
                    names.add(node.name)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Call)
                and isinstance(node.func.func, ast.Attribute) and node.func.func.attr == "command"):
            names.update(a.id for a in node.args if isinstance(a, ast.Name))
    return names


def extract(root: Path = PACKAGE) -> tuple[list[Found], list[str]]:
    """(every msgid marked under ``root``, in order of first use; problems: marks that are not literals)."""
    found: dict[tuple[str | None, str], Found] = {}
    problems: list[str] = []

    def add(where: str, msgid: str, ctxt: str | None = None, plural: str | None = None) -> None:
        f = found.setdefault((ctxt, msgid), Found(msgid, ctxt, plural))
        f.where.append(where)

    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).as_posix()
        if "migrations/versions" in rel or path.parent == LOCALE or rel == "girok/i18n.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        if rel.startswith("girok/cli/"):
            commands = _commands(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and node.name in commands:
                    doc = ast.get_docstring(node, clean=True)
                    if doc:
                        add(f"{rel}:{node.lineno}", doc)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name, where = _callee(node), f"{rel}:{node.lineno}"
            args = [_literal(a) for a in node.args]
            if name in MARKERS and isinstance(node.func, ast.Name):
                if len(args) == 1 and args[0] is not None:
                    add(where, args[0])
                else:
                    problems.append(f"{where}: {name}() of something other than one string literal")
            elif name == "pgettext":
                if len(args) == 2 and None not in args:
                    add(where, args[1], ctxt=args[0])
                else:
                    problems.append(f"{where}: pgettext() of something other than two string literals")
            elif name == "ngettext" and isinstance(node.func, ast.Name):
                if len(args) == 3 and args[0] is not None and args[1] is not None:
                    add(where, args[0], plural=args[1])
                else:
                    problems.append(f"{where}: ngettext() of something other than two string literals and n")
    return list(found.values()), problems


# --- the commands ----------------------------------------------------------------------------


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def update(po: Path, found: list[Found]) -> list[str]:
    """Merge ``found`` into ``po``: new msgids added untranslated, gone ones made obsolete. Returns the new ones."""
    entries = parse_po(po.read_text(encoding="utf-8"), po.name)
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None and not e.obsolete]
    old = {e.key: e for e in entries if e.msgid or e.msgctxt is not None}
    merged, new = [], []
    for f in found:
        e = old.pop(f.key, None)
        if e is None:
            e = Entry(f.msgid, f.msgctxt, f.msgid_plural, ["", ""] if f.msgid_plural else [""])
            new.append(f.msgid)
        e.obsolete = False
        e.msgid_plural = f.msgid_plural
        e.comments = [c for c in e.comments if not c.startswith("#:")] + [f"#: {' '.join(f.where[:3])}"]
        merged.append(e)
    for e in old.values():
        e.obsolete = True
        merged.append(e)
    po.write_text(format_po(header + merged), encoding="utf-8")
    return new


def mo_path(po: Path) -> Path:
    return po.with_suffix(".mo")


def main(argv: list[str]) -> int:
    found, problems = extract()
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    status = 0
    for po in catalogs():
        lang = po.parent.parent.name
        if "--update" in argv:
            for msgid in update(po, found):
                print(f"{lang}: new, to translate: {msgid[:70]!r}")
        entries = parse_po(po.read_text(encoding="utf-8"), po.name)
        mo = compile_mo(entries)
        if "--check" in argv:
            have = {e.key for e in entries if e.translated and not e.obsolete}
            missing = [f.msgid for f in found if f.key not in have]
            stale = not mo_path(po).exists() or mo_path(po).read_bytes() != mo
            for m in missing:
                print(f"{lang}: no translation: {m[:70]!r}")
            if stale:
                print(f"{lang}: {mo_path(po).name} is not built from {po.name}: run python -m girok.locale.build")
            status = 1 if (missing or stale or problems) else status
        else:
            mo_path(po).write_bytes(mo)
            print(f"{lang}: {sum(1 for e in entries if e.msgid and e.translated and not e.obsolete)} "
                  f"translated of {len(found)} -> {mo_path(po).relative_to(PACKAGE.parent)}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
