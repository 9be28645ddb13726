"""One description of each training option (issue 21, STYLE point 13): rp.OPTION_TABLE feeds the engine's flags and
the sweep's through rp.add_option_flags alone. The checks read the built parsers, so a training flag written by hand
in either of them, or one that drifts from the table, fails here."""

import argparse
from collections import Counter

import pytest
from cli_helpers import run_main

import rnn_pathological as rp
from rnnpath import sweep

FIELDS = ("option_strings", "dest", "default", "type", "choices", "metavar", "help", "nargs", "const", "required")


def sweep_run_parser() -> argparse.ArgumentParser:
    return sweep.build_parser()._subparsers._group_actions[0].choices["run"]


PARSERS = {"engine": lambda: rp.build_parser("rnn_pathological.py"), "sweep": sweep_run_parser}


def option_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.dest in rp.OPTIONS]


def described(action: argparse.Action) -> dict:
    return {field: getattr(action, field) for field in FIELDS}


def generated() -> dict[str, dict]:
    """What add_option_flags alone makes of the table, on a bare parser: dest -> the flag's description."""
    parser = argparse.ArgumentParser()
    rp.add_option_flags(parser)
    return {a.dest: described(a) for a in option_actions(parser)}


@pytest.mark.parametrize("which", PARSERS)
def test_every_option_has_exactly_one_flag(which):
    actions = option_actions(PARSERS[which]())
    assert Counter(a.dest for a in actions) == Counter(list(rp.OPTIONS))  # each option once, and nothing else sets one
    assert [a.dest for a in actions] == list(rp.OPTION_TABLE)  # added together, in the table's order
    for a in actions:
        assert a.option_strings == ["--" + a.dest.replace("_", "-")]


@pytest.mark.parametrize("which", PARSERS)
def test_every_training_flag_is_the_generated_one(which):
    """Name, default, type, choices, metavar and help as add_option_flags makes them from the table: a flag written
    by hand (or one that adds a keyword) differs in at least one of them."""
    assert {a.dest: described(a) for a in option_actions(PARSERS[which]())} == generated()


def test_engine_and_sweep_take_the_same_default_type_and_choices():
    engine = {a.dest: a for a in option_actions(PARSERS["engine"]())}
    swept = {a.dest: a for a in option_actions(PARSERS["sweep"]())}
    assert engine.keys() == swept.keys() == rp.OPTIONS.keys()
    for name, option in rp.OPTION_TABLE.items():
        e, s = engine[name], swept[name]
        assert e.default == s.default == rp.DEFAULTS[name] == option.default
        assert type(e.default) is type(s.default) is type(option.default)
        assert e.type is s.type
        assert e.choices == s.choices == rp.CHOICES.get(name)
        if option.choices:
            assert e.type is None
        else:  # typed by the default: an int, or a float refused when not finite
            assert e.type is (rp.finite_float if isinstance(option.default, float) else type(option.default))


def test_the_engine_keeps_its_argument_groups():
    parser = PARSERS["engine"]()
    group_of = {a.dest: g.title for g in parser._action_groups for a in g._group_actions}
    for name, option in rp.OPTION_TABLE.items():
        assert group_of[name] == option.group
    assert {o.group for o in rp.OPTION_TABLE.values()} <= {rp.MODEL_GROUP, rp.OPTIMISER_GROUP, rp.OUTPUT_GROUP}


def test_options_defaults_and_choices_are_views_of_the_table():
    assert list(rp.OPTIONS) == list(rp.DEFAULTS) == list(rp.OPTION_TABLE)
    assert rp.OPTIONS == {name: (o.default, o.help) for name, o in rp.OPTION_TABLE.items()}
    assert rp.CHOICES == {name: o.choices for name, o in rp.OPTION_TABLE.items() if o.choices}
    assert rp.CHOICES["cell"] == tuple(rp.CELLS) and rp.CHOICES["optimizer"] == rp.OPTIMIZERS
    for name, o in rp.OPTION_TABLE.items():
        assert o.help and "%" not in o.help, name  # the flag adds "(default: ...)" itself
        assert o.choices is None or o.default in o.choices, name


BAD_VALUES = [["--lr", "nan"], ["--momentum", "inf"], ["--chain-beta", "x"], ["--n-hidden", "1.5"],
              ["--snapshot-every", "two"], ["--cell", "mlp"], ["--dtype", "float16"], ["--optimizer", "sgd"]]


@pytest.mark.parametrize("argv", BAD_VALUES)
def test_a_bad_value_is_the_same_one_line_error_in_the_engine_and_the_sweep(argv, tmp_path):
    out = str(tmp_path / "never.jsonl")
    engine = run_main(rp.main, [*argv, "--out", out])
    swept = run_main(sweep.main, ["run", *argv, "--out", out])
    messages = []
    for ran, tool in ((engine, "rnn_pathological.py"), (swept, "rnnpath sweep")):
        assert ran.returncode == 2 and ran.stdout == ""
        lines = ran.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"{tool}: error: argument {argv[0]}: "), ran.stderr
        messages.append(lines[0].removeprefix(f"{tool}: error: "))
    assert messages[0] == messages[1]
    assert not (tmp_path / "never.jsonl").exists()
