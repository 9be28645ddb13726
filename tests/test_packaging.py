"""`pip install .` installs every module of the suite: the experiment families register themselves on import, so a
module left out of pyproject.toml breaks an installed `experiments_rnn_pathological`."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_top_level_module_is_installed():
    text = (ROOT / "pyproject.toml").read_text()  # tomllib is Python 3.11+, the suite runs on 3.10
    modules = set(re.findall(r'"(\w+)"', re.search(r"py-modules = \[(.*?)\]", text, re.DOTALL).group(1)))
    on_disk = {p.stem for p in ROOT.glob("*.py")}
    assert on_disk == modules, (on_disk - modules, modules - on_disk)
