"""The prose helpers every generated sentence and table uses: plurals, word lists, durations, markdown tables."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 record', '2 records', '0 records'; `many` for an irregular plural."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def seed_ranges(seeds) -> str:
    """'seed 3', 'seeds 0-9', 'seeds 0-4, 7 and 9': the distinct seeds sorted, each run of consecutive ones a range
    (a plain first-last range would claim seeds a grid never ran)."""
    seeds = sorted(set(seeds))
    runs: list[list[int]] = []
    for seed in seeds:
        if runs and seed == runs[-1][-1] + 1:
            runs[-1].append(seed)
        else:
            runs.append([seed])
    parts = [f"{run[0]}-{run[-1]}" if len(run) > 1 else f"{run[0]}" for run in runs]
    return f"{'seed' if len(seeds) == 1 else 'seeds'} {join_words(parts)}"


def fmt_duration(seconds: float) -> str:
    """13s, 2m13s, 1h02m."""
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


# ----------------------------------------------------------------------------------------------------------------
# the grid and run keys
#
# Canonical grid order: tasks in rp.TASKS order, then sequence length ascending, init in rp.INITS order, seed
# ascending; duplicates removed. It does not depend on the order the flags were typed in, so every machine of a
# sharded sweep cuts the same grid the same way: run i of the canonical order belongs to shard (i mod N) + 1.


def span(values, fmt: str = ".2f", sep: str = " to ") -> str:
    """The range of `values` as printed: '0.27 to 0.30' (sep between the ends), or '0.28' where both ends print
    alike."""
    lo, hi = format(min(values), fmt), format(max(values), fmt)
    return lo if lo == hi else f"{lo}{sep}{hi}"


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A GitHub-markdown table (the README's generated tables and the experiments' answers)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def capitalised(sentence: str) -> str:
    """The sentence with its first letter in upper case, unless it begins with a file path ('results/sweeps/x.jsonl
    also keeps ...'), which keeps its case: a path is typed as written."""
    if not sentence or "/" in sentence.split(maxsplit=1)[0]:
        return sentence
    return sentence[0].upper() + sentence[1:]
