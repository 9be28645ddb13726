"""The command line every analysis shares: an analysis declares its subcommands, one main runs any of them.

An analysis module declares

    ANALYSIS = Analysis(PROG, __doc__, (Command("run", ...), Command("plot", ...)))

and its build_parser() and main(argv) are ANALYSIS.build_parser() and ANALYSIS.main(argv). A Command names its
options, reads and checks its inputs, and makes either a results document (written as JSON to --out) or a figure
(a PNG, written to --out, or under its own file name `png` into --outdir). Analysis.main does the rest, in the
order every analysis promises:

1. the options, parsed: a bad one is one line, `PROG: error: ...`, exit status 2 (rp.OneLineErrorParser);
2. every check before any work: --out can be written, every input is read and checked (Command.read), and --outdir
   is created, last, so that a command refused for its input leaves no new folder; a ValueError is one line,
   exit status 2;
3. the work (Command.make): an AnalysisError or files.FileError found only now (an unstable matrix, a file with a
   part missing) is one line, exit status 2;
4. the output, written atomically and named on stdout, `wrote PATH`; one that cannot be written after all is one
   line, exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rnn_pathological as rp
from rnnpath import files, style

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class AnalysisError(ValueError):
    """Bad input (a missing or unsuitable file, an unstable matrix): a one-line message, exit status 2."""


class Option:
    """One option of a command: the arguments of its parser's add_argument, kept until the parser is built."""

    def __init__(self, *flags: str, **kwargs) -> None:
        self.flags, self.kwargs = flags, kwargs


def reads_nothing(args: argparse.Namespace) -> None:
    """Command.read of a command that needs no input file."""


def drawer(plot: Callable[[dict], Figure], prog: str,
           missing: tuple[type[Exception], ...] = (KeyError, StopIteration)) -> Callable[..., Figure]:
    """Command.make of a `plot` command: the figure of the results file in args.results, or a one-line error that
    names the file when one of the right schema version lacks a part (`missing`: what `plot` raises then)."""
    def draw(args: argparse.Namespace, doc: dict) -> Figure:
        try:
            return plot(doc)
        except missing as err:
            raise AnalysisError(f"{args.results}: incomplete ({err!r}); rerun {prog} run") from None
    return draw


@dataclass(frozen=True)
class Command:
    """One subcommand of an analysis: its options, what it reads and what it makes."""

    name: str
    help: str  # one line, in the analysis's --help
    description: str  # the paragraph of `COMMAND --help`
    options: tuple[Option, ...]  # in --help's order; --out, or --outdir for a command with a `png`
    make: Callable[[argparse.Namespace, Any], dict | Figure]  # (options, what read returned) -> document or figure
    read: Callable[[argparse.Namespace], Any] = reads_nothing  # every input loaded and checked; ValueError: one line
    png: str | None = None  # the figure's file name in --outdir; None: the command writes --out
    dpi: int = 100  # the figure's resolution


@dataclass(frozen=True)
class Analysis:
    """An analysis's command line: `prog` names it in --help and in every error line."""

    prog: str  # "rnnpath analyze NAME"
    description: str  # the text of --help above the commands
    commands: tuple[Command, ...]
    raw_description: bool = True  # printed as written (a module docstring), or reflowed by argparse

    def build_parser(self) -> argparse.ArgumentParser:
        formatter = argparse.RawDescriptionHelpFormatter if self.raw_description else argparse.HelpFormatter
        parser = rp.OneLineErrorParser(prog=self.prog, description=self.description, formatter_class=formatter)
        names = ",".join(command.name for command in self.commands)
        sub = parser.add_subparsers(dest="command", required=True, metavar=f"{{{names}}}")
        for command in self.commands:
            p = sub.add_parser(command.name, help=command.help, description=command.description)
            for option in command.options:
                p.add_argument(*option.flags, **option.kwargs)
        return parser

    def main(self, argv: list[str] | None = None) -> int:
        parser = self.build_parser()
        args = parser.parse_args(argv)
        command = next(c for c in self.commands if c.name == args.command)
        path = args.out if command.png is None else os.path.join(args.outdir, command.png)
        try:  # every check before any work: a bad path or file is one line, exit status 2
            if command.png is None:
                rp.check_writable(path)
            inputs = command.read(args)
            if command.png is not None:
                files.prepare_outdir(args.outdir)
        except ValueError as err:
            parser.error(str(err))
        try:
            made = command.make(args, inputs)
        except (AnalysisError, files.FileError) as err:
            parser.error(str(err))
        try:
            if isinstance(made, dict):
                rp.write_json_atomic(path, made)
            else:
                style.save_figure_atomic(made, path, dpi=command.dpi)
        except OSError as err:
            print(f"{self.prog}: error: cannot write {path}: {err.strerror or err}", file=sys.stderr)
            return 1
        print(f"wrote {path}")
        return 0
