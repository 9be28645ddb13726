"""The sweep beyond one machine, on a real (one-node) SLURM cluster: cluster/sweep_array.sbatch, the job script the
README shows, submitted as a job array of shards and merged, gives the records of the same grid swept locally.

Marked `cluster` and left out of the default run (it installs slurm and munge with apt-get and starts daemons as
root): `python -m pytest -m cluster`. cluster/slurm_one_node.sh stands the cluster up for the session and takes it
down afterwards. Where SLURM cannot be installed or started (not root, no apt-get, the daemons do not come up) the
tests are skipped, with the reason.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from rnnpath import sweep

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[1]
HELPER = ROOT / "cluster" / "slurm_one_node.sh"
JOB_SCRIPT = ROOT / "cluster" / "sweep_array.sbatch"
SWEEP = ["-m", "rnnpath", "sweep"]
# 2 tasks x 2 inits x 3 seeds of a tiny model: 12 runs, a second or so per shard
GRID = ["--tasks", "addition", "3bit_memorization", "--inits", "ortho", "random", "--sequence-lens", "6",
        "--seeds", "0-2", "--n-hidden", "8", "--n-epochs", "2", "--batches-per-epoch", "2", "--batch-size", "10"]
N_RUNS = 12
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
            "PREEMPTED"}


def run(argv: list, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """argv run to its end, its output captured as text; the caller checks the exit status."""
    return subprocess.run([str(a) for a in argv], check=False, capture_output=True, text=True, timeout=timeout,
                          **kwargs)


def tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@pytest.fixture(scope="session")
def cluster():
    """A one-node cluster for the session: the environment that reaches it (SLURM_CONF); always taken down."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("SLURM not set up: needs root to install slurm and munge and to run slurmd")
    if shutil.which("bash") is None:
        pytest.skip("SLURM not set up: no bash to run cluster/slurm_one_node.sh")
    # not under pytest's tmp_path: munged wants every directory above its socket open to all, and pytest's are 0700
    state = Path(tempfile.mkdtemp(prefix="rp-slurm-"))
    try:
        try:
            up = run(["bash", HELPER, "up", state], timeout=400)
        except subprocess.TimeoutExpired:
            pytest.skip("SLURM not set up: cluster/slurm_one_node.sh up took more than 400 s")
        if up.returncode != 0:  # the helper's error and any fatal line of the daemons' logs it printed
            why = [line for line in up.stderr.splitlines() if ("error:" in line and "slurm_one_node" in line)
                   or "fatal:" in line] or [tail(up.stderr or up.stdout)]
            pytest.skip(f"SLURM not set up: cluster/slurm_one_node.sh up exited {up.returncode}: {'; '.join(why)}")
        yield {**os.environ, "SLURM_CONF": str(state / "slurm.conf")}
    finally:  # also after a skip or an interrupt: whatever up started is stopped
        stopped = run(["bash", HELPER, "down", state])
        assert stopped.returncode == 0, f"teardown failed: {stopped.stdout}{stopped.stderr}"
        for name in ("slurmd", "slurmctld", "munged"):  # down removes each PID file once its daemon is gone
            assert not (state / f"{name}.pid").exists(), f"{name} still running after teardown: {stopped.stdout}"
        shutil.rmtree(state, ignore_errors=True)


def submit(env: dict, array: str, out_dir: Path, *args: str, **settings: str) -> str:
    """sbatch the job script from the repository root, as the README does; the job id."""
    job_env = {**env, "RP_PYTHON": sys.executable, "RP_OUT_DIR": str(out_dir / "shards"), **settings}
    done = run(["sbatch", "--parsable", f"--array={array}", f"--output={out_dir}/slurm-%A_%a.out", JOB_SCRIPT, *args],
               cwd=ROOT, env=job_env)
    assert done.returncode == 0, f"sbatch failed: {done.stderr}"
    return done.stdout.strip().split(";")[0]


def wait_for_array(env: dict, job_id: str, n_tasks: int, timeout: float = 150.0) -> dict[int, dict[str, str]]:
    """{array task id: its scontrol fields} once all n_tasks tasks have ended (no accounting here, so the states come
    from `scontrol show job`, which keeps finished jobs for MinJobAge = 1 h in the test cluster)."""
    deadline = time.monotonic() + timeout
    while True:
        shown = run(["scontrol", "--oneliner", "show", "job", job_id], env=env)
        tasks = {}
        for line in shown.stdout.splitlines():
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            if fields.get("ArrayJobId") == job_id and fields.get("ArrayTaskId", "").isdigit():
                tasks[int(fields["ArrayTaskId"])] = fields
        if len(tasks) == n_tasks and all(t["JobState"] in TERMINAL for t in tasks.values()):
            return tasks
        if time.monotonic() > deadline:
            queue = run(["squeue"], env=env).stdout
            pytest.fail(f"array {job_id} not finished after {timeout:.0f} s:\n{queue}\n{shown.stdout}{shown.stderr}")
        time.sleep(0.5)


def job_outputs(out_dir: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted(out_dir.glob("slurm-*.out")))


def deterministic_records(path: Path) -> list[dict]:
    """The records of a sweep file without their timings, in canonical grid order."""
    records = [json.loads(line) for line in path.read_text().splitlines()]
    return [sweep.deterministic_view(r) for r in sorted(records, key=sweep.record_order)]


def test_job_array_of_shards_merges_to_the_local_sweep(cluster, tmp_path):
    n_shards = 3
    local = tmp_path / "local.jsonl"
    ran = run([sys.executable, *SWEEP, "run", *GRID, "--quiet", "--out", local], timeout=300)
    assert ran.returncode == 0, ran.stderr

    job_id = submit(cluster, f"1-{n_shards}", tmp_path, *GRID)
    tasks = wait_for_array(cluster, job_id, n_shards)
    outputs = job_outputs(tmp_path)
    assert sorted(tasks) == list(range(1, n_shards + 1))
    for k, task in sorted(tasks.items()):
        assert (task["JobState"], task["ExitCode"]) == ("COMPLETED", "0:0"), f"array task {k}:\n{outputs}"
    shards = sorted((tmp_path / "shards").glob("*.jsonl"))
    assert [p.name for p in shards] == [f"shard-{k}-of-{n_shards}.jsonl" for k in range(1, n_shards + 1)]

    merged = tmp_path / "merged.jsonl"
    merge = run([sys.executable, *SWEEP, "merge", *shards, "--out", merged])
    assert merge.returncode == 0, merge.stderr
    assert f"into {N_RUNS} in" in merge.stdout

    want, got = deterministic_records(local), deterministic_records(merged)
    assert len(want) == N_RUNS
    want_keys, got_keys = {sweep.record_key(r) for r in want}, {sweep.record_key(r) for r in got}
    missing = [sweep.describe(r) for r in want if sweep.record_key(r) not in got_keys]
    extra = [sweep.describe(r) for r in got if sweep.record_key(r) not in want_keys]
    assert not missing and not extra, f"runs missing from the merge: {missing}; not in the local sweep: {extra}"
    for w, g in zip(want, got, strict=True):  # the same numbers, not only the same runs
        assert g == w, f"{sweep.describe(w)} differs on {sweep.first_difference(w, g)}"


def test_job_script_refuses_an_array_that_is_not_1_to_n(cluster, tmp_path):
    """Without RP_SHARDS the array's size is N, so an array 2-3 would leave shard 1 out: refused, nothing written."""
    job_id = submit(cluster, "2-3", tmp_path, *GRID)
    tasks = wait_for_array(cluster, job_id, 2)
    outputs = job_outputs(tmp_path)
    assert sorted(tasks) == [2, 3]
    assert {(t["JobState"], t["ExitCode"]) for t in tasks.values()} == {("FAILED", "2:0")}, outputs
    assert outputs.count("the array is 2-3 with 2 tasks, not 1-2: set RP_SHARDS") == 2, outputs
    assert not list((tmp_path / "shards").glob("*.jsonl"))
