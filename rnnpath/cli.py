"""The one dispatcher of the command line: `python -m rnnpath TOOL ...` and `python -m rnnpath analyze NAME ...`
each pick a module by name from a table and hand it the rest of the words."""

from __future__ import annotations

import importlib
import sys


def dispatch(argv: list[str] | None, table: dict[str, tuple[str, str]], usage: str, prog: str, noun: str) -> int:
    """Run the main(argv) of the module `table` names for argv[0]; --help (or nothing) prints `usage`. `table`:
    {name: (module, what it does)}; a name not in it is a one-line error `PROG: error: unknown NOUN ...`."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in table:
        print(f"{prog}: error: unknown {noun} {name!r}; choose from {', '.join(table)}", file=sys.stderr)
        return 2
    return importlib.import_module(table[name][0]).main(rest)
