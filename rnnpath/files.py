"""The suite's files, read and checked in one place: results, sweep records, benchmarks, output folders.

    doc = load_results("results.json")     # a results file of rnn_pathological.py, every run checked
    why = run_problem(record)              # None, or what is wrong with one run record (a sweep file's line)
    bench = load_bench("results/bench.json")       # a benchmark file of rnnpath bench
    prepare_outdir("viz")                  # create the folder if needed; FileError unless a file can be made in it

Every script that reads one of these files reads it through here, so a bad file fails the same way everywhere:
FileError, a ValueError with one line that names the file and what is wrong, raised before anything is computed,
drawn or written. The scripts print it as `SCRIPT: error: ...` and exit with status 2. Empty, truncated, binary,
wrong-schema and wrong-typed files are all refused, and so is a NaN or an infinity anywhere in a file (check_finite,
which names the field); a file is never changed by being read.

The checks are the schema the engine writes (rnn_pathological.train, results_document, and the benchmark's
run_benchmark): field names and JSON types, not the numbers' meaning. Tasks and inits the engine does not ship pass
the schema; check_engine_runs adds that each run can be rebuilt by this engine, for the scripts that
rebuild runs (the README report, the analyses).

Sections: errors and small checks, run records, results files, benchmark files, output folders.
"""

from __future__ import annotations

import json
import math
import os

import rnn_pathological as rp

# ----------------------------------------------------------------------------------------------------------------
# errors and small checks


class FileError(ValueError):
    """A file that is missing, unreadable or not in the schema its reader expects; a folder that cannot be written.
    The message is one line and names the file."""


class NotJSONError(FileError):
    """A text file that does not parse as one JSON value (a JSON Lines file of several records, among others)."""


RESULTS_COMMAND = "python rnn_pathological.py --all --seed 0"
SEEDS_COMMAND = "python rnn_pathological.py --all --seeds 0-9 --drop-weights"


def results_command(path: str) -> str:
    """The command that writes `path`: the ten-seed headline for a file named results_seeds.json, else seed 0."""
    if os.path.basename(path) == "results_seeds.json":
        return f"{SEEDS_COMMAND} --out {path}"
    return RESULTS_COMMAND if os.path.normpath(path) == "results.json" else f"{RESULTS_COMMAND} --out {path}"


def is_number(value) -> bool:
    """A finite JSON number (true and false are not numbers; NaN and Infinity are not finite)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _describe(value) -> str:
    text = json.dumps(value) if isinstance(value, (str, int, float, bool, type(None))) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _child(where: str, key) -> str:
    return f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}" if where else key


def nonfinite_field(doc) -> tuple[str, float] | None:
    """(where, value) of a NaN or infinity in a JSON value, where a path such as 'sensitivity[3].rho' ('' for the
    top level); None if every number is finite.

    Python's json module reads NaN, Infinity, -Infinity and numbers past float's range (1e999) as floats, and the
    suite writes none of them (allow_nan=False), so one in a file is damage: refused rather than carried into a figure
    or a README line. Walked with a stack, not recursion: read_json parses nesting deeper than a recursive walk
    could follow. Only containers are pushed: the 11 MB results_snapshots.json is walked in about 60 ms."""
    if isinstance(doc, float) and not math.isfinite(doc):
        return "", doc
    stack = [("", doc)] if isinstance(doc, (dict, list)) else []
    while stack:
        where, value = stack.pop()
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            if isinstance(item, float) and not math.isfinite(item):
                return _child(where, key), item
            if isinstance(item, (dict, list)):
                stack.append((_child(where, key), item))
    return None


def check_finite(doc, path: str, command: str | None = None) -> None:
    """FileError unless every number of `doc`, the JSON value read from `path`, is finite; the message names the
    field, and `command`, when given, is how to recreate the file."""
    found = nonfinite_field(doc)
    if found is not None:
        where, value = found
        field = f"field {where}" if where else "its top level"
        raise FileError(f"{path}: {field} is {_describe(value)}, not a finite number"
                        + (f"; recreate it with: {command}" if command else ""))


def read_json(path: str, command: str | None = None) -> object:
    """The JSON value in `path`. FileError for a missing, unreadable, empty, binary or malformed file; `command`,
    when given, is how to recreate it."""
    again = f"; recreate it with: {command}" if command else ""
    if not os.path.exists(path):
        raise FileError(f"{path} not found" + (f"; create it with: {command}" if command else ""))
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as err:
        raise FileError(f"cannot read {path}: {err.strerror or err}") from None
    if not data.strip():
        raise FileError(f"{path} is empty{again}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileError(f"{path} is not a UTF-8 text file{again}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        # a string left open by the end of the text is reported where it starts ("Unterminated string starting at"),
        # not at the end; a line break inside a string is another error, so this one always means the text ended
        cut_open = err.msg.startswith("Unterminated string")
        cut = " (the file looks cut off)" if cut_open or err.pos >= len(text.rstrip()) else ""
        raise NotJSONError(f"{path} is not valid JSON: {err.msg.removesuffix(' at')} at line {err.lineno}, column "
                           f"{err.colno}{cut}{again}") from None
    except RecursionError:
        raise NotJSONError(f"{path} is not valid JSON: nested too deeply{again}") from None


def load_document(path: str, schema_version: int, key: str, prog: str) -> dict:
    """A JSON results file of one of the analysis scripts (`prog run` writes it): a dict with `schema_version` equal
    to `schema_version` and the field `key`, every number finite. FileError (one line, naming the file) otherwise."""
    command = f"python -m {prog} run --out {path}"
    doc = read_json(path, command)
    if not isinstance(doc, dict) or doc.get("schema_version") != schema_version or key not in doc:
        raise FileError(f"{path} is not a results file of {prog} run (schema version {schema_version}); recreate "
                        f"it with: {command}")
    check_finite(doc, path, command)
    return doc


# ----------------------------------------------------------------------------------------------------------------
# run records: the `runs` of a results file, and each line of a sweep file
#
# A check returns None or the problem in words ("field 'seed' must be an integer, got \"3\""), which the caller
# places after the file's name and the run's position (a run index, or a sweep file's line number).

INT, NUMBER, STR, BOOL = "an integer", "a number", "a string", "true or false"
OPTIONAL = " or null"

RUN_FIELDS = {
    "task": STR, "init": STR, "sequence_len": INT, "seed": INT, "config": "an object",
    "chance": NUMBER, "metric_name": STR, "higher_is_better": BOOL, "solved_threshold": NUMBER,
    "history": "a list of per-epoch records", "final_metric": NUMBER + OPTIONAL, "best_metric": NUMBER + OPTIONAL,
    "best_epoch": INT + OPTIONAL, "solved_epoch": INT + OPTIONAL, "diverged": "false or an epoch",
    "wallclock_s": NUMBER, "W_hh_singular_values_init": "a list of numbers",
    "W_hh_singular_values_final": "a list of numbers",
}
HISTORY_FIELDS = ("epoch", "loss", "metric", "grad_norm")  # every epoch record has these; momentum, elapsed_s optional
WEIGHT_FIELDS = ("W_hh_final", "params_final")  # optional: dropped by --drop-weights and by sweeps by default
PARAMS_FINAL = tuple(name for name in rp.PARAM_NAMES if name != "W_hh")  # W_ih, b_h, W_hy, b_y


def _fits(value, kind: str) -> bool:
    if kind.endswith(OPTIONAL):
        return value is None or _fits(value, kind[: -len(OPTIONAL)])
    if kind == INT:
        return is_int(value)
    if kind == NUMBER:
        return is_number(value)
    if kind == STR:
        return isinstance(value, str)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == "an object":
        return isinstance(value, dict)
    if kind == "false or an epoch":
        return value is False or (is_int(value) and value >= 1)
    if kind == "a list of numbers":
        return isinstance(value, list) and all(map(is_number, value))
    if kind == "a list of per-epoch records":
        return isinstance(value, list)
    raise AssertionError(kind)


def config_problem(config: dict) -> str | None:
    """A training config: each option the engine knows has the type of its default (and one of its choices)."""
    for name, value in config.items():
        if name not in rp.DEFAULTS:
            continue  # an option of another engine version: kept, never read here
        default = rp.DEFAULTS[name]
        kind = {bool: BOOL, int: INT, float: NUMBER, str: STR}.get(type(default))
        if kind is None:
            continue  # an option without a plain JSON type: nothing to check here
        if not _fits(value, kind):
            return f"config option {name!r} must be {kind}, got {_describe(value)}"
        if name in rp.CHOICES and value not in rp.CHOICES[name]:
            return f"config option {name!r} is {value!r}, not one of {', '.join(rp.CHOICES[name])}"
    return None


def _matrix_problem(value, rows: int | None = None, cols: int | None = None) -> str | None:
    """None if `value` is a list of `rows` lists of `cols` numbers each (None: any count, the same for all)."""
    if not isinstance(value, list) or not value or (rows is not None and len(value) != rows):
        return f"a list of {rows or 'some'} rows"
    widths = {len(row) if isinstance(row, list) else -1 for row in value}
    if len(widths) != 1 or -1 in widths or (cols is not None and widths != {cols}):
        return f"rows of {cols or 'equal'} numbers"
    if not all(is_number(v) for row in value for v in row):
        return "numbers only"
    return None


def _named_shapes_problem(params: dict, shapes: tuple, sizes: dict[str, int]) -> str | None:
    """None if every params[name] is a vector or matrix of numbers whose shape is `shapes`' named sizes (rp.Cell.shapes:
    ("N", "M") ...), each name one size throughout; `sizes` holds the sizes known already (N from W_hh)."""
    for name, dims in shapes:
        value = params[name]
        if len(dims) == 1:
            if not isinstance(value, list) or not all(map(is_number, value)):
                return f"{name} a list of numbers"
            shape = (len(value),)
        else:
            if _matrix_problem(value):
                return f"{name} a matrix of numbers"
            shape = (len(value), len(value[0]))
        for dim, size in zip(dims, shape, strict=True):
            if sizes.setdefault(dim, size) != size:
                return f"{name} of {dim} = {sizes[dim]}, as the other arrays, not {size}"
    return None


def weights_problem(run: dict) -> str | None:
    """W_hh_final (G H, H) and params_final (W_ih (G H, n_in), b_h (G H,), W_hy (n_out, H), b_y (n_out,), and the
    GRU's b_hn (H,)), where present; G is the number of gate blocks of the cell (1 for the vanilla RNN, 4 for the
    LSTM, 3 for the GRU), and params_final holds the keys of its cell's network (rp.Cell.network) but W_hh. A cell
    with a network of its own (the LRU: W_hh (2N, N)) gives its arrays' shapes in named sizes (rp.Cell.shapes)."""
    rows = cols = None
    if "W_hh_final" in run:
        W = run["W_hh_final"]
        why = _matrix_problem(W)
        if why is None and len(W) % len(W[0]):
            why = "a whole number of (H, H) blocks"
        if why:
            return f"field 'W_hh_final' must be a (G H, H) matrix ({why})"
        rows, cols = len(W), len(W[0])
    if "params_final" in run:
        params = run["params_final"]
        cell = rp.CELLS.get(rp.cell_of(run))  # config_problem has checked the name; an unknown one reads as vanilla
        names = PARAMS_FINAL if cell is None else tuple(name for name in cell.network if name != "W_hh")
        if not isinstance(params, dict) or set(params) != set(names):
            return f"field 'params_final' must be an object with {', '.join(names)}"
        if cell is not None and cell.shapes is not None:  # a network of its own (the LRU's): its named sizes
            why = _named_shapes_problem(params, cell.shapes, {} if cols is None else {"N": cols})
            return f"field 'params_final' must hold the trained {', '.join(names)} ({why})" if why else None
        extra = [name for name in names if name not in PARAMS_FINAL]  # the GRU's b_hn: one number per unit
        why = _matrix_problem(params["W_ih"], rows) or _matrix_problem(params["W_hy"], None, cols)
        for name in ("b_h", "b_y", *extra):
            if not isinstance(params[name], list) or not all(map(is_number, params[name])):
                why = why or "numbers only"
        if why is None and (len(params["b_h"]) != len(params["W_ih"]) or len(params["b_y"]) != len(params["W_hy"])
                            or any(len(params[name]) != len(params["W_hy"][0]) for name in extra)):
            why = "biases of the matching lengths"
        if why:
            return f"field 'params_final' must hold the trained {', '.join(names)} ({why})"
    return None


def snapshots_problem(run: dict) -> str | None:
    """`snapshots` (written by --snapshot-every), where present: a list of {epoch, params}, epochs increasing from 0,
    each params an object of number matrices and vectors, with a W_hh of the first snapshot's shape."""
    if "snapshots" not in run:
        return None
    snapshots = run["snapshots"]
    if not isinstance(snapshots, list) or not snapshots:
        return "field 'snapshots' must be a non-empty list of {epoch, params}"
    epochs = []
    for j, snap in enumerate(snapshots):
        if not isinstance(snap, dict) or not is_int(snap.get("epoch")) or not isinstance(snap.get("params"), dict):
            return f"snapshot {j} must be an object with an integer 'epoch' and an object 'params'"
        params = snap["params"]
        if "W_hh" not in params:
            return f"snapshot {j} (epoch {snap['epoch']}) has no 'W_hh'"
        for name, value in params.items():
            vector = isinstance(value, list) and all(map(is_number, value))
            if not vector and _matrix_problem(value):
                return f"snapshot {j} (epoch {snap['epoch']}) param {name!r} must be numbers in a vector or matrix"
        W, W_0 = params["W_hh"], snapshots[0]["params"]["W_hh"]
        if _matrix_problem(W):
            return f"snapshot {j} (epoch {snap['epoch']}) param 'W_hh' must be a matrix"
        if (len(W), len(W[0])) != (len(W_0), len(W_0[0])):
            return f"snapshot {j} (epoch {snap['epoch']}) has a W_hh of another shape than snapshot 0's"
        epochs.append(snap["epoch"])
    if epochs[0] != 0 or epochs != sorted(set(epochs)):
        return f"field 'snapshots' must hold increasing epochs from 0, got {_describe(epochs)}"
    return None


def run_problem(run) -> str | None:
    """What is wrong with a run record (None if nothing): a missing field, a field of the wrong type, an epoch
    record without loss, metric or gradient norm, weights of the wrong shape."""
    if not isinstance(run, dict):
        return f"is a {type(run).__name__}, not an object"
    missing = [name for name in RUN_FIELDS if name not in run]
    if missing:
        return f"has no field {missing[0]!r}" + (f" (nor {', '.join(map(repr, missing[1:]))})" if missing[1:] else "")
    for name, kind in RUN_FIELDS.items():
        if not _fits(run[name], kind):
            return f"field {name!r} must be {kind}, got {_describe(run[name])}"
    for name in ("sequence_len", "seed"):
        if run[name] < (1 if name == "sequence_len" else 0):
            return f"field {name!r} is out of range: {run[name]}"
    why = config_problem(run["config"])
    if why:
        return why
    for j, record in enumerate(run["history"]):
        if not isinstance(record, dict):
            return f"history entry {j} is not an object"
        for name in HISTORY_FIELDS:
            if name not in record:
                return f"history entry {j} has no field {name!r}"
            if not (is_int(record[name]) if name == "epoch" else is_number(record[name])):
                return f"history entry {j} field {name!r} is not a number: {_describe(record[name])}"
        for name in ("momentum", "elapsed_s"):
            if name in record and not is_number(record[name]):
                return f"history entry {j} field {name!r} is not a number: {_describe(record[name])}"
    return weights_problem(run) or snapshots_problem(run)


def engine_run_problem(run: dict) -> str | None:
    """What keeps this engine from rebuilding a (schema-valid) run: an unknown task or init, an impossible config."""
    if run["task"] not in rp.TASKS:
        return f"task {run['task']!r} is not one of this engine's ({', '.join(rp.TASKS)})"
    if run["metric_name"] not in rp.METRIC_LABELS:
        return f"metric {run['metric_name']!r} is not one of this engine's ({', '.join(rp.METRIC_LABELS)})"
    try:
        rp.check_config(run["task"], run["init"], run["sequence_len"], run["seed"], **{**rp.DEFAULTS, **run["config"]})
    except (ValueError, TypeError, KeyError) as err:
        return f"cannot be rebuilt by this engine: {err}"
    return None


def _where(path: str, i: int, run) -> str:
    where = f"{path}: run {i}"
    if isinstance(run, dict) and isinstance(run.get("task"), str) and isinstance(run.get("init"), str):
        where += f" ({run['task']}, {run['init']})"
    return where


def check_engine_runs(runs: list[dict], path: str) -> None:
    """FileError unless this engine can rebuild every run (its task, init and config)."""
    for i, run in enumerate(runs):
        why = engine_run_problem(run)
        if why:
            raise FileError(f"{_where(path, i, run)} {why}")


def check_weights(runs: list[dict], path: str, command: str) -> None:
    """FileError unless every run carries its trained weights (W_hh_final and params_final). `command` writes the
    file; the message gives it without --drop-weights."""
    for i, run in enumerate(runs):
        missing = [name for name in WEIGHT_FIELDS if name not in run]
        if missing:
            raise FileError(f"{_where(path, i, run)} has no trained weights ({', '.join(missing)}; the file was "
                            f"written with --drop-weights, or is a sweep file without --keep-weights); recreate it "
                            f"with: {command.replace(' --drop-weights', '')}")


# ----------------------------------------------------------------------------------------------------------------
# results files: results.json, results_seeds.json (rnn_pathological.results_document)

CORE_CONFIG = ("n_hidden", "n_epochs", "batch_size", "batches_per_epoch", "lr", "momentum", "clip", "dtype")
ENVIRONMENT_FIELDS = {"python": STR, "numpy": STR, "platform": STR, "machine": STR, "cpu_count": INT + OPTIONAL}
EXECUTION_FIELDS = {"jobs": INT, "wallclock_s": NUMBER + OPTIONAL}


def _document_problem(doc) -> str | None:
    """What is wrong with a results document's schema version and run list (None if nothing)."""
    if not isinstance(doc, dict):
        return f"the top level is a JSON {type(doc).__name__}, not an object"
    if "schema_version" not in doc:
        return "has no field 'schema_version'"
    if doc["schema_version"] != rp.SCHEMA_VERSION or not is_int(doc["schema_version"]):
        return f"unknown schema_version {_describe(doc['schema_version'])} (this code reads version {rp.SCHEMA_VERSION})"
    if "runs" not in doc:
        return "has no field 'runs'"
    if not isinstance(doc["runs"], list) or not doc["runs"]:
        return "field 'runs' must be a non-empty list of runs"
    return None


def _shared_fields_problem(doc: dict) -> str | None:
    """What is wrong with a results document's shared config, environment and execution record (None if nothing)."""
    for name in ("config", "environment"):
        if name not in doc:
            return f"has no field {name!r}"
    if not isinstance(doc["config"], dict):
        return f"field 'config' must be an object, got {_describe(doc['config'])}"
    missing = [name for name in CORE_CONFIG if name not in doc["config"]]
    if missing:
        return f"field 'config' has no option {missing[0]!r}"
    why = config_problem(doc["config"])
    if why:
        return why
    for name, fields in (("environment", ENVIRONMENT_FIELDS), ("execution", EXECUTION_FIELDS)):
        if name not in doc:
            continue  # execution: older files have none, so there is no wall time to report
        block = doc[name]
        if not isinstance(block, dict):
            return f"field {name!r} must be an object, got {_describe(block)}"
        for field, kind in fields.items():
            if field not in block:
                return f"field {name!r} has no {field!r}"
            if not _fits(block[field], kind):
                return f"field {name}.{field} must be {kind}, got {_describe(block[field])}"
    return None


def _joined(subject: str, why: str) -> str:
    """'results.json has no field ...', 'results.json: field ... must be ...'."""
    return f"{subject} {why}" if why.startswith(("has ", "is ")) else f"{subject}: {why}"


def load_results(path: str, command: str | None = None) -> dict:
    """Read and check a results file (schema_version rp.SCHEMA_VERSION). Raises FileError.

    Returns the document {schema_version, config, environment, execution, runs}, every run a checked run record.
    A missing or bad file is never recreated here: the message gives the command that writes it (`command`, else
    results_command(path)).
    """
    command = command or results_command(path)
    doc = read_json(path, command)
    why = _document_problem(doc)
    if why:
        raise FileError(f"{_joined(path, why)}; recreate it with: {command}")
    for i, run in enumerate(doc["runs"]):
        why = run_problem(run)
        if why:
            # a run without a field may lack its task and init too: name it by its position alone
            where = f"{path}: run {i}" if why.startswith(("has no", "is a")) else _where(path, i, run)
            raise FileError(f"{_joined(where, why)}; recreate it with: {command}")
    why = _shared_fields_problem(doc)
    if why:
        raise FileError(f"{_joined(path, why)}; recreate it with: {command}")
    check_finite(doc, path, command)  # the fields not typed above: options of other engine versions, extras
    for run in doc["runs"]:
        if run["task"] in rp.TASKS:  # verdicts under the engine's criteria, whichever version wrote the file
            rp.judge(run)
    return doc


# ----------------------------------------------------------------------------------------------------------------
# benchmark files: bench.json, bench_float32.json (rnnpath.bench.run_benchmark)

BENCH_FIELDS = {
    "dtype": STR, "quick": BOOL,
    "environment": {"python": STR, "numpy": STR, "platform": STR, "machine": STR, "cpu_count": INT},
    "gemm_peak_gflops": {"float64": NUMBER, "float32": NUMBER},
    "headline": {"jobs": INT, "wall_s": NUMBER, "wall_s_repeats": "a list of numbers", "flops": NUMBER,
                 "gflops": NUMBER, "fraction_of_peak": NUMBER},
    "single_T60_run_one_core_s": NUMBER,
    "step_ms_by_T": {"30": NUMBER, "60": NUMBER, "120": NUMBER, "240": NUMBER},
    "step_ms_by_H": {"32": NUMBER, "64": NUMBER, "128": NUMBER},
    "kernel_us": {"one add": NUMBER},
    "floor": {"total_s": NUMBER, "steps_per_worker": INT, "single_T60_run_s": NUMBER, "single_T60_run_steps": INT,
              "fraction_of_peak": NUMBER},
    "peak_memory": {},
    "targets": {},
}
BENCH_NUMBER_MAPS = ("step_ms_by_T", "step_ms_by_H", "kernel_us", "peak_memory", "targets")  # every value a number
BENCH_COMMAND = "python -m rnnpath bench"


def width_key(width: int) -> str:
    """'lru_width8': the step_ms key, in a benchmark file's lru_step rows, of the LRU's convolution form at a width
    other than the default."""
    return f"lru_width{width}"


def _fields_problem(value, spec: dict, where: str) -> str | None:
    for name, kind in spec.items():
        if name not in value:
            return f"field {where[:-1]} has no {name!r}" if where else f"has no field {name!r}"
        if isinstance(kind, dict):
            if not isinstance(value[name], dict):
                return f"field {where}{name} must be an object, got {_describe(value[name])}"
            why = _fields_problem(value[name], kind, f"{where}{name}.")
            if why:
                return why
        elif not _fits(value[name], kind):
            return f"field {where}{name} must be {kind}, got {_describe(value[name])}"
    return None


def load_bench(path: str, replacing: tuple[str, ...] = ()) -> dict:
    """Read and check a benchmark file of rnnpath bench, every number finite. Raises FileError.

    `replacing` names top-level fields the caller is about to write anew (bench --cells-only: cell_step, targets):
    they may be missing or bad, and the file is still good enough to keep its other numbers."""
    dtype = "float32" if "float32" in os.path.basename(path) else "float64"
    command = BENCH_COMMAND + ("" if dtype == "float64" else " --dtype float32") + (
        "" if os.path.basename(path) in ("bench.json", "bench_float32.json") else f" --out {path}")
    doc = read_json(path, command)
    if not isinstance(doc, dict):
        why = f"the top level is a JSON {type(doc).__name__}, not an object"
    else:
        why = _fields_problem(doc, {k: v for k, v in BENCH_FIELDS.items() if k not in replacing}, "")
        for name in (name for name in BENCH_NUMBER_MAPS if name not in replacing):
            bad = [k for k, v in doc[name].items() if not is_number(v)] if why is None else []
            if bad:
                why = f"field {name}.{bad[0]} must be {NUMBER}, got {_describe(doc[name][bad[0]])}"
                break
        if why is None and doc["dtype"] not in rp.DTYPES:
            why = f"field dtype is {doc['dtype']!r}, not one of {', '.join(rp.DTYPES)}"
        if why is None and not doc["peak_memory"]:
            why = "field peak_memory is empty"
    if why:
        raise FileError(f"{path} is not a benchmark file: it {why}; recreate it with: {command}"
                        if why.startswith("has ") else f"{path} is not a benchmark file: {why}; recreate it with: "
                        f"{command}")
    check_finite({k: v for k, v in doc.items() if k not in replacing}, path, command)  # the fields not typed above
    return doc


# ----------------------------------------------------------------------------------------------------------------
# output folders


def prepare_outdir(outdir: str) -> None:
    """Create `outdir` if needed and check that a file can be created in it, before any work. Raises FileError.

    The check creates and removes a temporary file instead of asking os.access: root passes os.access on a
    read-only folder, and a read-only mount or a pseudo file system refuses files whatever the permission bits."""
    if not outdir.strip():
        raise FileError('the output folder is empty (--outdir ""); name a folder, or . for the current one')
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise FileError(f"cannot use {outdir} as output folder: it exists and is not a folder")
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as err:
        raise FileError(f"cannot create output folder {outdir}: {err.strerror or err}") from None
    try:
        rp.probe_folder(outdir)
    except OSError as err:
        raise FileError(f"cannot write in output folder {outdir}: {err.strerror or err}") from None
