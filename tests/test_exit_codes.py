"""Exit codes cannot drift: girok.errors.ExitCode, the README's table and every `--help` text agree.

Help texts cite a code with its name, "exit code 20 (AUDIT_BROKEN)" or
"(exit code 22, BAG_REJECTED)" (``ExitCode.X.cite()`` builds the first
form), so a test can check that the number is the one of that meaning.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from girok import errors
from girok.errors import ExitCode

README = Path(__file__).resolve().parent.parent / "README.md"

# "exit 13", "exit code 20", "Exit codes 0/10", "exits with 6", then the numbers (each optionally named)
_NUM = r"(\d+)(?:\s*\(([A-Z][A-Z_]*)\)|\s*,\s*([A-Z][A-Z_]{2,})\b)?"
_CITE = re.compile(r"\bexit(?:s|ed|ing)?(?:\s+with)?(?:\s+codes?)?\s+"
                   r"(" + _NUM + r"(?:\s*(?:/|,|;|or|and)\s*" + _NUM + r")*)", re.IGNORECASE)
_ONE = re.compile(_NUM)


def citations(text: str) -> list[tuple[int, str | None]]:
    """Every exit code a text names, with the ExitCode name given next to it (or None)."""
    found = []
    for m in _CITE.finditer(" ".join(text.split())):
        for one in _ONE.finditer(m.group(1)):
            found.append((int(one.group(1)), one.group(2) or one.group(3)))
    return found


def test_citations_parser():
    assert citations("Exit code 20 (AUDIT_BROKEN) when ...") == [(20, "AUDIT_BROKEN")]
    assert citations("refuses (exit code 13, RETENTION_REFUSED) a file") == [(13, "RETENTION_REFUSED")]
    assert citations("exit codes 0 (OK)/10 (QUARANTINED)") == [(0, "OK"), (10, "QUARANTINED")]
    assert citations("refuses (exit 13) a file") == [(13, None)]
    assert citations("Exit code\n    10 (QUARANTINED) when") == [(10, "QUARANTINED")]
    assert citations("then exit (for cron/timers)") == []
    assert ExitCode.AUDIT_BROKEN.cite() == "exit code 20 (AUDIT_BROKEN)"
    assert citations(ExitCode.AUDIT_BROKEN.cite()) == [(20, "AUDIT_BROKEN")]


def _commands(group, path: tuple[str, ...] = ()):
    # typer >= 0.29 vendors click (typer._click): a group is what has subcommands
    yield path, group
    if getattr(group, "commands", None):
        for name in sorted(group.commands):
            yield from _commands(group.commands[name], path + (name,))


_COMMAND_LIST = re.compile(r"\n *Commands:\n(?:[ \t]+\S.*(?:\n|$))*")


def _help_texts():
    from girok.cli.main import app

    root = typer.main.get_command(app)
    runner = CliRunner()
    for path, cmd in _commands(root):
        res = runner.invoke(app, [*path, "--help"], prog_name="girok")
        assert res.exit_code == 0, (path, res.output)
        # A group's list of subcommands cuts their first lines short ("refuses (exit code 13,..."):
        # leave it out; each subcommand's own --help is read in full.
        shown = _COMMAND_LIST.sub("\n", res.output)
        # the rendered help, plus the raw texts it is made from (in case rendering truncates)
        raw = [cmd.help or "", cmd.short_help or "", cmd.epilog or ""]
        raw += [getattr(p, "help", None) or "" for p in cmd.params]
        yield " ".join(("girok", *path)), shown + "\n" + "\n".join(raw)


HELP = dict(_help_texts())


def test_help_walk_reaches_subcommands():
    # guard against a walk that silently finds nothing
    assert len(HELP) > 10
    assert "girok audit verify" in HELP and "girok retention decide" in HELP


@pytest.mark.parametrize("command", sorted(HELP))
def test_help_cites_exit_codes_by_name(command):
    for number, name in citations(HELP[command]):
        assert number in ExitCode._value2member_map_, f"`{command} --help` names exit code {number}, not in ExitCode"
        assert name is not None, (f"`{command} --help` names exit code {number} without its meaning: write "
                                  f"{ExitCode(number).cite()!r} (ExitCode.{ExitCode(number).name}.cite())")
        assert name == ExitCode(number).name, (f"`{command} --help`: exit code {number} is "
                                               f"{ExitCode(number).name}, not {name}")


def test_help_texts_cite_the_codes_commands_document():
    cited = {n for text in HELP.values() for n, _ in citations(text)}
    assert {ExitCode.QUARANTINED, ExitCode.AUDIT_BROKEN, ExitCode.FIXITY_FAILED, ExitCode.BAG_REJECTED,
            ExitCode.RETENTION_REFUSED} <= cited


def _readme_table() -> dict[int, list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].isdigit():
            rows[int(cells[0])] = cells
    return rows


def test_readme_table_lists_exactly_the_enum():
    table = _readme_table()
    assert sorted(table) == sorted(int(c) for c in ExitCode)
    for code, cells in table.items():
        name = ExitCode(code).name
        assert cells[1] == f"`{name}`", f"README row {code} names {cells[1]}, not ExitCode.{name}"


def test_every_error_class_exits_with_an_enum_member():
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.GirokError)]
    assert len(classes) > 10
    for cls in classes:
        assert isinstance(cls.exit_code, ExitCode), cls
    assert errors.EXIT_QUARANTINED == 10 == errors.InputRejected.exit_code
    assert errors.AuditBroken.exit_code == 20 and errors.RetentionRefused.exit_code == 13
