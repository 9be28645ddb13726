"""Animated GIF of ortho versus random training curves growing epoch by epoch.

    python rnn_pathological.py --all --seed 0              # once: trains the headline, writes results.json
    python make_rnn_pathological_gif.py                    # 3bit_memorization T=60 -> rnn_pathological.gif
    python make_rnn_pathological_gif.py --task addition --sequence-len 30 --out addition.gif
    python make_rnn_pathological_gif.py --retrain --n-epochs 30    # train both arms now (train(callback=...))

By default the frames come from the per-epoch history cached in the results file, read and checked by
rnnpath.files.load_results, so the GIF takes seconds and trains nothing. --retrain trains each init through
rnn_pathological.train and draws the epoch records its callback receives. Every option is checked before anything
is trained or drawn, and the GIF is written through a temporary file renamed over --out, so an existing GIF is
never left half-written.

Frame count. With E the number of epochs of the longest arm and `every` epochs per frame, the frames show epochs
every, 2 every, ... and always end on epoch E: ceil(E / every) frames, in the list frames_from_history returns and
in the GIF; fewer than 2 are refused. The last frame is held: it stays on screen (1 + hold) frame times. The default `every` is
ceil(E / 40), so a run of any length gives about 40 frames.

Sections: the curves to animate (from the file or from training), frames, GIF file, command line.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import imageio.v3 as iio
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import rnn_pathological as rp
from rnnpath import files, style

PROG = "make_rnn_pathological_gif.py"
DEFAULT_TASK = "3bit_memorization"
ARMS = ("ortho", "random")  # the inits --retrain trains and compares
TARGET_FRAMES = 40  # the default --every gives about this many frames, whatever the number of epochs
POSTER_LEVELS = 16  # levels per colour channel in the GIF (see posterize)

# ----------------------------------------------------------------------------------------------------------------
# the curves to animate: one run per init, from the results file or from training


def select_runs(doc: dict, task: str, sequence_len: int | None, seed: int | None, path: str) -> list[dict]:
    """The runs of `task` at `sequence_len` (default: the task's first T in the file), one per init (the given
    seed, else the lowest seed in the file). Raises files.FileError listing what the file has."""
    groups = style.group_runs(doc["runs"])
    available = ", ".join(f"{t} T={n}" for t, n in groups)
    if sequence_len is None:
        sequence_len = next((n for t, n in groups if t == task), None)
    runs = groups.get((task, sequence_len))
    if not runs:
        at = f" at T={sequence_len}" if sequence_len is not None else ""
        raise files.FileError(f"{path} has no runs of {task}{at}; available: {available}")
    seeds = sorted({r["seed"] for r in runs})
    if seed is None:
        seed = seeds[0]
    chosen: dict[str, dict] = {}
    for run in runs:
        if run["seed"] == seed:
            chosen.setdefault(run["init"], run)
    if not chosen:
        raise files.FileError(f"{path} has no runs of {task} T={sequence_len} with seed {seed}; seeds: "
                               + ", ".join(str(s) for s in seeds))
    return list(chosen.values())


def with_callback_history(run: dict, records: list[dict]) -> dict:
    """The run record `run` of rp.train, its history the epoch records the callback received, its solved epoch
    taken from them: the GIF shows exactly what the callback saw."""
    solved = next((r["epoch"] for r in records if rp.epoch_solved(run, r)), None)
    return {**run, "history": list(records), "solved_epoch": solved}


def retrain_runs(task: str, sequence_len: int, seed: int, inits=ARMS, quiet: bool = False,
                 **overrides) -> list[dict]:
    """Train `task` under every init through rp.train, collecting the epoch records its callback receives."""
    n_epochs = overrides.get("n_epochs", rp.DEFAULTS["n_epochs"])
    runs = []
    for init in inits:
        records: list[dict] = []

        def collect(record: dict, init=init, records=records) -> None:
            records.append(record)
            if not quiet and (record["epoch"] % 10 == 0 or record["epoch"] == n_epochs):
                print(f"  {init} epoch {record['epoch']}/{n_epochs}: {record['metric']:.4g}", flush=True)

        if not quiet:
            print(f"training {task} T={sequence_len} {init} for {n_epochs} epochs ...", flush=True)
        run = rp.train(task, init, sequence_len, seed=seed, callback=collect, **overrides)
        runs.append(with_callback_history(run, records))
    return runs


# ----------------------------------------------------------------------------------------------------------------
# frames
#
# One figure is built once with every artist in place; each frame only updates data and text and redraws. The
# axis limits are fixed from the whole history up front, so the curves grow into a still frame instead of the
# axes rescaling from frame to frame; the per-arm status sits at fixed places above the panels, where no curve is.


def frame_epochs(n_epochs: int, every: int) -> list[int]:
    """The last epoch shown in each frame: every, 2 every, ..., and always n_epochs. ceil(n_epochs / every) items."""
    shown = list(range(every, n_epochs + 1, every))
    if not shown or shown[-1] != n_epochs:
        shown.append(n_epochs)
    return shown


def default_every(n_epochs: int) -> int:
    return max(1, math.ceil(n_epochs / TARGET_FRAMES))


def check_frames(n_epochs: int, every: int | None, source: str) -> None:
    """ValueError unless `n_epochs` epochs shown `every` per frame make an animation: at least 2 frames. `source`
    says where the epochs come from, for the message."""
    if n_epochs < 2:
        raise ValueError(f"only {n_epochs} epoch{'' if n_epochs == 1 else 's'} to show ({source}); an animation "
                         f"needs at least 2 frames")
    every = default_every(n_epochs) if every is None else every
    if len(frame_epochs(n_epochs, every)) < 2:
        raise ValueError(f"--every {every} leaves 1 frame of the {n_epochs} epochs ({source}); an animation needs "
                         f"at least 2: use --every {n_epochs - 1} or less")


def _log_limits(values: np.ndarray) -> tuple[float, float]:
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return 1e-3, 1.0
    return float(values.min()) / 1.4, float(values.max()) * 1.4


def frames_from_history(runs: list[dict], every: int | None = None, figsize=(6.0, 3.2), dpi: int = 100
                        ) -> list[np.ndarray]:
    """Frames of the metric (left) and training loss (right, log y) of `runs` growing over training.

    runs: one run dict per init, all of the same task and T, each with a per-epoch "history". Returns
    ceil(E / every) frames, each (round(figsize[1] dpi), round(figsize[0] dpi), 3) uint8 RGB, E the longest
    history. The metric panel carries chance, the solved threshold, and a star and a dotted line at each arm's
    solved epoch from that epoch on.
    """
    n_epochs = max(len(r["history"]) for r in runs)
    if n_epochs == 0:
        raise ValueError("no epochs to animate: every run has an empty history")
    every = default_every(n_epochs) if every is None else every
    first = runs[0]
    metric_name = first["metric_name"]
    colours = style.init_colours(r["init"] for r in runs)
    series = {id(r): {f: style.history_series(r, f) for f in ("metric", "loss")} for r in runs}

    fig = Figure(figsize=figsize, dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    # one row of per-arm status text above the panels per two arms (one row for the usual ortho and random)
    status_rows = math.ceil(len(runs) / 2)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.79 - 0.065 * (status_rows - 1), wspace=0.4)
    grid = fig.add_gridspec(1, 5)
    ax_m, ax_l = fig.add_subplot(grid[0, :3]), fig.add_subplot(grid[0, 3:])
    title = fig.suptitle("", fontsize=10.5, fontweight="bold", y=0.985)

    for ax in (ax_m, ax_l):
        ax.set_xlim(0.5, n_epochs + 0.5)
        ax.set_xlabel("epoch", fontsize=8.5, labelpad=1)
        ax.tick_params(labelsize=7.5)
        ax.grid(alpha=0.3)
    line, _ = style.metric_line(first)  # the solved threshold, or on the per-case tasks the partial-progress line
    line_word = "partial progress " if rp.is_per_case(first) else "solved "
    all_metric = np.concatenate([series[id(r)]["metric"][1] for r in runs])
    all_loss = np.concatenate([series[id(r)]["loss"][1] for r in runs])
    if not first["higher_is_better"]:  # an error or a loss: orders of magnitude, so a log axis
        ax_m.set_yscale("log")
        ax_m.set_ylim(*_log_limits(np.append(all_metric, [first["chance"], line])))
        style.plain_log_y(ax_m)
    else:
        ax_m.set_ylim(-0.02, 1.05)
    ax_m.set_ylabel(style.metric_label(metric_name, first["higher_is_better"]), fontsize=8.5, labelpad=1)
    ax_m.axhline(first["chance"], **style.CHANCE_STYLE)
    ax_m.axhline(line, **style.THRESHOLD_STYLE)
    ax_m.text(n_epochs + 0.5, first["chance"], "chance ", ha="right", va="bottom", fontsize=7, color="0.3")
    ax_m.text(n_epochs + 0.5, line, line_word, ha="right", va="bottom", fontsize=7, color="0.4")
    spec = rp.TASKS.get(first["task"])
    partial = spec.partial(first["sequence_len"]) if spec is not None else first["chance"]
    if partial != first["chance"]:  # the best predictor one item short of the answer
        ax_m.axhline(partial, **style.PARTIAL_STYLE)
        ax_m.text(n_epochs + 0.5, partial, "one item short ", ha="right", va="bottom", fontsize=7,
                  color=style.PARTIAL_STYLE["color"])
    ax_l.set_yscale("log")
    ax_l.set_ylim(*_log_limits(all_loss))
    style.plain_log_y(ax_l)
    ax_l.set_title("training loss", fontsize=8.5, pad=3)

    # each arm's current metric in its colour, in a row above the panels where it can hide no curve
    metric_lines, loss_lines, status_texts, solved_marks = [], [], [], []
    for k, run in enumerate(runs):
        c = colours[run["init"]]
        status_texts.append(fig.text(0.1 + (k % 2) * 0.45, 0.875 - 0.065 * (k // 2), "", color=c, fontsize=9,
                                     fontweight="bold", va="center"))
        metric_lines.append(ax_m.plot([], [], color=c, lw=1.6)[0])
        loss_lines.append(ax_l.plot([], [], color=c, lw=1.3)[0])
        solved = run["solved_epoch"]
        if solved is not None:
            at = style.metric_at_epoch(run, solved)
            vline = ax_m.axvline(solved, color=c, ls=":", lw=1.1, visible=False)
            star = ax_m.plot([solved], [at], "*", color=c, ms=11, mec="black", mew=0.5, visible=False)[0]
            solved_marks.append((solved, vline, star))

    frames = []
    for epoch in frame_epochs(n_epochs, every):
        title.set_text(f"{first['task']}, T = {first['sequence_len']}    epoch {epoch} / {n_epochs}")
        for run, m_line, l_line, text in zip(runs, metric_lines, loss_lines, status_texts, strict=True):
            epochs, metric = series[id(run)]["metric"]
            _, loss = series[id(run)]["loss"]
            k = int(np.searchsorted(epochs, epoch, side="right"))
            m_line.set_data(epochs[:k], metric[:k])
            l_line.set_data(epochs[:k], loss[:k])
            current = rp.format_metric(float(metric[k - 1]), metric_name) if k else "-"
            solved = run["solved_epoch"]
            status = f" (solved @ {solved})" if solved is not None and solved <= epoch else ""
            if run["diverged"] and epoch >= len(epochs):
                status += f" (diverged @ {run['diverged']})"
            text.set_text(f"{run['init']} W_hh: {current}{status}")
        for solved, vline, star in solved_marks:
            vline.set_visible(epoch >= solved)
            star.set_visible(epoch >= solved)
        canvas.draw()
        frames.append(np.asarray(canvas.buffer_rgba())[..., :3].copy())
    return frames


# ----------------------------------------------------------------------------------------------------------------
# GIF file
#
# A GIF stores each frame's time in hundredths of a second in 16 bits: from 10 ms to 655.35 s.

MAX_FPS = 100.0
MAX_FRAME_S = 655.35


def check_timing(fps: float, hold: int) -> None:
    """ValueError unless --fps and --hold give frame times a GIF can store, the held last frame's included."""
    if not (math.isfinite(fps) and 0 < fps <= MAX_FPS):
        raise ValueError(f"--fps must be a number above 0 and at most {MAX_FPS:g} (a GIF frame lasts at least "
                         f"10 ms), got {fps}")
    if hold < 0:
        raise ValueError(f"--hold must be zero or more, got {hold}")
    if (1 + hold) / fps > MAX_FRAME_S:
        raise ValueError(f"--hold {hold} at --fps {fps:g} holds the last frame {(1 + hold) / fps:.0f} s; a GIF frame "
                         f"lasts at most {MAX_FRAME_S} s")


def posterize(frames: np.ndarray, levels: int = POSTER_LEVELS) -> np.ndarray:
    """Round every channel to `levels` values spread over 0..255 (0 and 255 kept). frames: (..., 3) uint8.

    Anti-aliased lines make thousands of nearly equal colours that the GIF palette cannot hold and its LZW
    compression codes poorly; a few levels per channel keep the plot's look and cut the file about threefold.
    """
    step = 255.0 / (levels - 1)
    return (np.round(frames / step) * step).round().astype(np.uint8)


def write_gif(path: str, frames: list[np.ndarray], fps: float, hold: int) -> None:
    """Write `frames` ((H, W, 3) uint8 each) as a looping GIF, the last frame held for (1 + hold) frame times,
    through a temporary file renamed over `path`.

    The hold is a longer duration of the last frame, not copies of it: the GIF encoder would merge identical
    frames anyway, and one frame costs fewer bytes.
    """
    frame_ms = 1000.0 / fps
    durations = [frame_ms] * len(frames)
    durations[-1] = frame_ms * (1 + hold)
    data = iio.imwrite("<bytes>", posterize(np.stack(frames)), extension=".gif", duration=durations, loop=0)
    rp.write_bytes_atomic(path, data)  # an existing GIF stays whole until the new one is complete


# ----------------------------------------------------------------------------------------------------------------
# command line


# the training options: they mean something only with --retrain, and are refused without it
RETRAIN_OPTIONS = (("--n-epochs", "n_epochs", "epochs"), ("--n-hidden", "n_hidden", "hidden units"),
                   ("--batches-per-epoch", "batches_per_epoch", "updates per epoch"))


def build_parser() -> argparse.ArgumentParser:
    parser = rp.OneLineErrorParser(
        prog=PROG,
        description="Animate ortho versus random training curves of one task into a GIF. By default from the "
        "results file (no training); with --retrain, trains both arms now.",
        epilog=f"first create the results file with:\n  {files.RESULTS_COMMAND}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_argument_group("what to animate")
    what.add_argument("--results", default="results.json", help="results file to read (default: %(default)s)")
    what.add_argument("--task", default=DEFAULT_TASK, choices=list(rp.TASKS), metavar="TASK",
                      help=f"task, one of {', '.join(rp.TASKS)} (default: %(default)s)")
    what.add_argument(
        "--sequence-len", type=int, default=None, metavar="T",
        help="sequence length (default: the task's T in the results file; with --retrain, its headline length)",
    )
    what.add_argument("--seed", type=int, default=None,
                      help="seed of the runs to show or train (default: the lowest in the file; 0 with --retrain)")
    out = parser.add_argument_group("animation")
    out.add_argument("--out", default="rnn_pathological.gif", help="GIF file to write (default: %(default)s)")
    out.add_argument("--fps", type=float, default=10.0,
                     help=f"frames per second, above 0 and at most {MAX_FPS:g} (default: %(default)s)")
    out.add_argument("--every", type=int, default=None,
                     help=f"epochs per frame (default: ceil(epochs / {TARGET_FRAMES}), about {TARGET_FRAMES} frames)")
    out.add_argument("--hold", type=int, default=10,
                     help="extra frame times the last frame stays on screen (default: %(default)s)")
    train = parser.add_argument_group("--retrain: train both arms now instead of reading the results file (the "
                                      "options below need --retrain)")
    train.add_argument("--retrain", action="store_true", help="train through rnn_pathological.train")
    for flag, name, text in RETRAIN_OPTIONS:
        train.add_argument(flag, dest=name, type=int, default=None, help=f"{text} ({rp.DEFAULTS[name]})")
    # only the cells that train under both arms' inits: one restricted to some inits (the oRNN) could never run
    cells = [name for name, cell in rp.CELLS.items() if cell.inits is None or set(ARMS) <= set(cell.inits)]
    train.add_argument("--cell", choices=cells, default=None,
                       help=f"recurrent cell of both arms ({rp.DEFAULTS['cell']}; lstm: the LSTM); the cells that "
                       f"accept both {' and '.join(ARMS)}")
    train.add_argument("--quiet", action="store_true", help="no progress lines while retraining")
    return parser


@rp.script_main
def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.every is not None and args.every < 1:
        parser.error(f"--every must be a positive integer, got {args.every}")
    given = [flag for flag, name, _ in RETRAIN_OPTIONS if getattr(args, name) is not None]
    given += ["--cell"] if args.cell is not None else []
    if given and not args.retrain:
        parser.error(f"{', '.join(given)} only {'applies' if len(given) == 1 else 'apply'} with --retrain; without "
                     f"it the epochs come from {args.results}")
    # every check before any training or drawing: a bad flag or path costs nothing
    try:
        check_timing(args.fps, args.hold)
        rp.check_writable(args.out)
        if os.path.splitext(args.out)[1].lower() != ".gif":  # the bytes are GIF data whatever the name says
            raise ValueError(f"--out must name a .gif file, got {args.out}")
        if args.retrain:
            seed = 0 if args.seed is None else args.seed
            T = rp.get_task(args.task).headline_len if args.sequence_len is None else args.sequence_len
            overrides = {name: rp.DEFAULTS[name] if getattr(args, name) is None else getattr(args, name)
                         for _, name, _ in RETRAIN_OPTIONS}
            if args.cell is not None:
                overrides["cell"] = args.cell
            for init in ARMS:
                rp.check_config(args.task, init, T, seed, **{**rp.DEFAULTS, **overrides})
            check_frames(overrides["n_epochs"], args.every, f"--n-epochs {overrides['n_epochs']}")
        else:
            doc = files.load_results(args.results)
            runs = select_runs(doc, args.task, args.sequence_len, args.seed, args.results)
            check_frames(max(len(r["history"]) for r in runs), args.every,
                         f"{args.task} T={runs[0]['sequence_len']} in {args.results}")
    except ValueError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    if args.retrain:
        runs = retrain_runs(args.task, T, seed, quiet=args.quiet, **overrides)
        try:  # runs that diverged at once may leave fewer epochs than asked for
            check_frames(max(len(r["history"]) for r in runs), args.every, "the retrained runs")
        except ValueError as err:
            print(f"{PROG}: error: {err}; nothing was written", file=sys.stderr)
            return 2

    frames = frames_from_history(runs, every=args.every)
    try:
        write_gif(args.out, frames, args.fps, args.hold)
    except OSError as err:
        print(f"{PROG}: error: cannot write {args.out}: {err.strerror or err}", file=sys.stderr)
        return 1
    size_kb = os.path.getsize(args.out) / 1024
    print(f"wrote {args.out} ({len(frames)} frames, {size_kb:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
