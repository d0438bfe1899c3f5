"""Outputs are whole or not at all, never an input, one writer at a time; a disk that fails is one line, exit 2.

Fault injection runs the real command (`python -m qanalysis`) in a subprocess and stops it with SIGTERM, SIGINT or
SIGKILL at seeded random moments after it started writing. The output folder must then hold the complete old set or
the complete new set, compared file by file by hash, and nothing may be left beside it (after SIGKILL, which no
program can catch, the next run must clear what was left). The old and new sets are real packs and builds of the
test fixtures, made in-process first.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from conftest import AWARDS_CSV
from test_report import _tiny_project

from qanalysis import cli, outputs, settings
from qanalysis.errors import InputError
from qanalysis.ingest.build import build
from qanalysis.report import pack

SEED = 20260601  # the fault-injection moments are random but the same on every run


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _beside(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir())


def _run(args: list, capsys) -> tuple[int, str]:
    """cli.main(args) in-process: its exit code and its error lines (not the progress bars), never a traceback."""
    code = cli.main([str(a) for a in args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, "".join(f"{line}\n" for line in err.splitlines() if line.startswith("error: "))


# A slow disk: every file written and every rename waits first, so that a random moment falls within the writing.
SLOW_DISK = """
import os, pathlib, sys, time
def slow(write):
    def waiting(*args, **kwargs):
        time.sleep({pause})
        return write(*args, **kwargs)
    return waiting
os.rename, os.replace, pathlib.Path.write_text = slow(os.rename), slow(os.replace), slow(pathlib.Path.write_text)
from qanalysis.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _start(args: list, pause: float = 0.0) -> subprocess.Popen:
    """`python -m qanalysis ARGS` (with a disk `pause` seconds slow per write), with SIGINT at its default, so Python
    turns it into KeyboardInterrupt even when the test runner was started in the background (which ignores SIGINT,
    and children inherit that)."""
    how = ["-c", SLOW_DISK.format(pause=pause)] if pause else ["-m", "qanalysis"]
    return subprocess.Popen([sys.executable, *how, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _state(out: Path) -> tuple:
    """What a writer changes first: the names beside `out` (a staging folder, a lock) and the files in it."""
    files = [(p.name, p.stat().st_mtime_ns) for p in out.rglob("*")] if out.is_dir() else []
    return sorted(os.listdir(out.parent)), sorted(files)


def _interrupt(args: list, out: Path, sig: int, delay: float, pause: float = 0.0) -> tuple[int, str]:
    """Start the command, wait until it starts writing (anything changes beside or in `out`), then send `sig` after
    `delay` seconds. Timing from the first write, not from the start, keeps the moments within the writing on a
    slow or busy machine, where the imports alone can take seconds."""
    before = _state(out)
    proc = _start(args, pause)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and _state(out) == before:
        time.sleep(0.001)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    return proc.returncode, stderr


def _inject(args_for, old: Path, new: Path, root: Path, plan: list[tuple[int, float]], pause: float = 0.0
            ) -> list[tuple]:
    """Run one interrupted command per (signal, delay) of `plan`, in parallel, each over a copy of `old`; return
    (signal, delay, exit code, stderr, the copy, which set it holds)."""
    expected = {"old": _hashes(old), "new": _hashes(new)}
    assert expected["old"] != expected["new"]
    outs = []
    for i in range(len(plan)):
        outs.append(root / f"run{i}" / old.name)
        shutil.copytree(old, outs[-1])
    with ThreadPoolExecutor(len(plan)) as pool:
        done = list(pool.map(lambda i: _interrupt(args_for(outs[i]), outs[i], *plan[i], pause), range(len(plan))))
    held = [next((k for k, v in expected.items() if _hashes(out) == v), "a mix") for out in outs]
    return [(sig, delay, code, err, out, which) for (sig, delay), (code, err), out, which in zip(plan, done, outs, held)]


EXIT = {signal.SIGTERM: {0, 143, -signal.SIGTERM}, signal.SIGINT: {0, 130, -signal.SIGINT},
        signal.SIGKILL: {0, -signal.SIGKILL}}


def _check_outcomes(outcomes: list[tuple]) -> None:
    for sig, delay, code, err, out, which in outcomes:
        name = signal.Signals(sig).name
        print(f"{name} {delay:.2f} s after writing began: exit {code}, {which} set")
        assert which in ("old", "new"), (name, delay, sorted(_hashes(out)))
        assert code in EXIT[sig] and "Traceback" not in err, (name, delay, code, err)
        if code in (130, 143):
            assert err.endswith("every output is either complete or as it was before\n"), err
        if sig != signal.SIGKILL:
            assert _beside(out) == [out.name], (name, delay)  # no staging folder, lock or old folder left


# ---- the old and new sets ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    """A tiny project and two real briefing packs of it: as of 2020 (the old set) and as of 2021 (the new set)."""
    root = tmp_path_factory.mktemp("packs")
    registry, data = _tiny_project(root)
    pack.make_report(2020, root / "old" / "pack", data, registry)
    pack.make_report(2021, root / "new" / "pack", data, registry)
    return registry, data, root / "old" / "pack", root / "new" / "pack"


@pytest.fixture
def builds(full_raw, toy_registry_path, tmp_path):
    """A build of the fixture tables (the old set), then of the same tables with one value changed (the new set)."""
    old, new = tmp_path / "old" / "out", tmp_path / "new" / "out"
    build(full_raw, old, toy_registry_path)
    (full_raw / "bureau" / "awards.csv").write_text(AWARDS_CSV.replace("家,3,2", "家,5,2"), encoding="utf-8")
    build(full_raw, new, toy_registry_path)
    return full_raw, toy_registry_path, old, new


def _report_args(packs, out: Path) -> list:
    registry, data, _, _ = packs
    return ["report", "--as-of", "2021", "--data", data, "--targets", registry, "--out", out]


def _build_args(builds, out: Path) -> list:
    raw, registry, _, _ = builds
    return ["build", "--raw", raw, "--targets", registry, "--out", out, "--no-reference"]


# ---- fault injection in a real process ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_report_stopped_at_random_moments_leaves_the_old_pack_or_the_new(packs, tmp_path):
    rng = random.Random(SEED)
    plan = [(sig, round(rng.uniform(0.0, 4.0), 2)) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGTERM)]
    outcomes = _inject(lambda out: _report_args(packs, out), packs[2], packs[3], tmp_path, plan)
    _check_outcomes(outcomes)
    assert any(o[2] != 0 for o in outcomes)  # at least one run was really cut short


@pytest.mark.slow
def test_a_build_stopped_at_random_moments_leaves_the_old_outputs_or_the_new(builds, tmp_path, capsys):
    """On a slow disk (0.1 s per write or rename), so that the moments fall within the writing of a small build."""
    rng = random.Random(SEED)
    plan = [(sig, round(rng.uniform(0.0, 2.0), 2))
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGTERM)]
    outcomes = _inject(lambda out: _build_args(builds, out), builds[2], builds[3], tmp_path, plan, pause=0.1)
    with capsys.disabled():  # the outcomes show with -s
        _check_outcomes(outcomes)
    assert any(o[2] != 0 for o in outcomes)
    for _, _, _, _, out, _ in outcomes:  # the next run clears what a SIGKILL left, and takes over its lock
        assert _run(_build_args(builds, out), capsys)[0] == 0
        assert _hashes(out) == _hashes(builds[3]) and _beside(out) == ["out"]


def test_ctrl_c_at_any_rename_of_a_build_loses_nothing(builds, tmp_path, monkeypatch):
    """Ctrl-C (KeyboardInterrupt) at the k-th rename of the swap, for every k the build makes: old or new set."""
    raw, registry, old, new = builds
    real_rename, real_replace = os.rename, os.replace
    for k in range(1, 20):
        out = tmp_path / f"k{k}" / "out"
        shutil.copytree(old, out)
        calls = []

        def interrupted(src, dst, real, calls=calls, k=k):
            calls.append(src)
            if len(calls) == k:
                raise KeyboardInterrupt
            return real(src, dst)

        monkeypatch.setattr(os, "rename", lambda s, d: interrupted(s, d, real_rename))
        monkeypatch.setattr(os, "replace", lambda s, d: interrupted(s, d, real_replace))
        try:
            build(raw, out, registry)
            finished = True
        except KeyboardInterrupt:
            finished = False
        monkeypatch.undo()
        assert _hashes(out) in (_hashes(old), _hashes(new)), k
        assert _beside(out) == ["out"], k
        if finished:
            assert _hashes(out) == _hashes(new)
            break
    assert k > 1  # the loop reached a k past the last rename


def test_a_full_disk_on_the_tenth_file_keeps_the_old_pack_and_says_so(packs, tmp_path, monkeypatch, capsys):
    out = tmp_path / "pack"
    shutil.copytree(packs[2], out)
    before, real, written = _hashes(out), pack.save, []

    def filling(fig, base):
        paths = real(fig, base)
        written.extend(paths)
        if len(written) >= 10:  # the disk fills while the 10th file is written: a truncated SVG
            paths[-1].write_bytes(paths[-1].read_bytes()[:100])
            raise OSError(errno.ENOSPC, "No space left on device", str(paths[-1]))
        return paths

    monkeypatch.setattr(pack, "save", filling)
    code, err = _run(_report_args(packs, out), capsys)
    assert code == 2
    assert err == (f"error: {out / 'figures' / 'scorecard.16x9.svg'}: could not write (No space left on device): the disk "
                   f"is full: free some space, or write to another disk; {out} was left as it was\n")
    assert _hashes(out) == before and _beside(out) == ["pack"]


def test_a_failed_build_write_keeps_the_old_outputs_and_says_so(builds, tmp_path, monkeypatch, capsys):
    raw, registry, old, new = builds
    out = tmp_path / "again" / "out"
    shutil.copytree(old, out)
    real = Path.write_text

    def full(self, *args, **kwargs):
        if self.name == "data_gaps.csv":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    code, err = _run(_build_args(builds, out), capsys)
    assert code == 2 and err.startswith(f"error: {out / 'data_gaps.csv'}: could not write (No space left on device)")
    assert _hashes(out) == _hashes(old) and _beside(out) == ["out"]


# ---- one writer at a time ----------------------------------------------------------------------------------------


def test_a_second_build_into_the_same_folder_is_refused_while_the_first_runs(builds, tmp_path, capsys):
    out = tmp_path / "busy" / "out"
    shutil.copytree(builds[2], out)
    first = _start(_build_args(builds, out))
    lock, deadline = outputs.lock_path(out), time.monotonic() + 120
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)
    first.send_signal(signal.SIGSTOP)  # hold the first build while it holds the lock
    try:
        code, err = _run(_build_args(builds, out), capsys)
    finally:
        first.send_signal(signal.SIGCONT)
    first.communicate(timeout=120)
    assert code == 2 and err.startswith(f"error: {out}: another qanalysis run (pid {first.pid}) is writing {out}; ")
    assert first.returncode == 0 and _hashes(out) == _hashes(builds[3]) and _beside(out) == ["out"]


def test_a_lock_left_by_a_dead_run_is_taken_over_and_its_debris_cleared(builds, tmp_path, capsys):
    out = tmp_path / "stale" / "out"
    shutil.copytree(builds[2], out)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    outputs.lock_path(out).write_text(dead.stdout, encoding="ascii")
    (out.parent / f".out{outputs.STAGE}deadbeef").mkdir()
    (out.parent / f".out{outputs.STAGE}deadbeef" / "indicators.csv").write_text("half", encoding="utf-8")
    assert _run(_build_args(builds, out), capsys)[0] == 0
    assert _hashes(out) == _hashes(builds[3]) and _beside(out) == ["out"]


def test_a_folder_set_aside_by_a_killed_swap_comes_back(tmp_path):
    """SIGKILL between the two renames of a swap leaves no output and the old one aside: the next run restores it."""
    out = tmp_path / "out"
    aside = tmp_path / f".out{outputs.OLD}deadbeef"
    aside.mkdir()
    (aside / "a.txt").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), outputs.output_folder(out, "test") as staging:
        (staging / "a.txt").write_text("new", encoding="utf-8")
        raise RuntimeError("a bug half-way")
    assert (out / "a.txt").read_text(encoding="utf-8") == "old" and _beside(out) == ["out"]


# ---- signals in-process ------------------------------------------------------------------------------------------


def test_sigterm_while_writing_cleans_up_and_restores_the_handler(tmp_path):
    out = tmp_path / "out"
    previous = signal.getsignal(signal.SIGTERM)
    with pytest.raises(outputs.Terminated) as stopped, outputs.output_folder(out, "test") as staging:
        (staging / "a.txt").write_text("new", encoding="utf-8")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # not reached: the handler raises at once
    assert stopped.value.code == 143 and not out.exists() and os.listdir(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) == previous


def test_sigterm_during_the_swap_waits_until_the_swap_is_done(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("old", encoding="utf-8")
    real = os.rename

    def signalled(src, dst):
        os.kill(os.getpid(), signal.SIGTERM)  # arrives between the two renames: held back until both are done
        return real(src, dst)

    with pytest.raises(outputs.Terminated):
        with outputs.output_folder(out, "test") as staging:
            (staging / "a.txt").write_text("new", encoding="utf-8")
            monkeypatch.setattr(os, "rename", signalled)
    monkeypatch.undo()
    assert (out / "a.txt").read_text(encoding="utf-8") == "new" and _beside(out) == ["out"]


def test_write_file_is_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "f.csv"
    outputs.write_file(path, b"old\n")
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())

    def cut(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", cut)
    with pytest.raises(KeyboardInterrupt):
        outputs.write_file(path, b"new\n")
    assert path.read_bytes() == b"old\n" and os.listdir(tmp_path) == ["f.csv"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---- inputs are never outputs ------------------------------------------------------------------------------------


def test_template_onto_the_curated_workbook_is_refused(capsys):
    curated = settings.RAW / "bureau" / "hangzhou-public-figures.xlsx"
    before = curated.read_bytes()
    for force in ([], ["--force"]):
        code, err = _run(["template", "--out", curated, *force], capsys)
        assert code == 2 and err.startswith(f"error: {curated}: refused: it lies inside the workspace's raw folder (")
    assert curated.read_bytes() == before


def test_assess_and_forecast_onto_their_own_data_are_refused(packs, tmp_path, capsys):
    registry, data, _, _ = packs
    before = data.read_bytes()
    code, err = _run(["assess", "--as-of", "2020", "--data", data, "--targets", registry, "--out", data, "--force"],
                     capsys)
    assert code == 2 and err == (f"error: {data}: refused: it is the data file ({data}), an input of this run, which "
                                 "is only ever read; expected another --out\n")
    series = tmp_path / "series.csv"
    series.write_text("series,year,value\ngdp,2019,1\ngdp,2020,2\n", encoding="utf-8")
    code, err = _run(["forecast", "--data", series, "--horizon", "1", "--out", series], capsys)
    assert code == 2 and "refused: it is the data file" in err
    assert data.read_bytes() == before and series.read_text(encoding="utf-8").startswith("series,year,value")


def test_an_existing_file_is_replaced_only_with_force(packs, tmp_path, capsys):
    registry, data, _, _ = packs
    out = tmp_path / "assessment.csv"
    out.write_text("an analyst's own notes\n", encoding="utf-8")
    args = ["assess", "--as-of", "2020", "--data", data, "--targets", registry, "--out", out]
    code, err = _run(args, capsys)
    assert code == 2 and err == (f"error: {out}: refused: the file exists; expected a new file name, or add --force "
                                 "to replace it\n")
    assert out.read_text(encoding="utf-8") == "an analyst's own notes\n"
    assert _run([*args, "--force"], capsys)[0] == 0
    assert out.read_text(encoding="utf-8-sig").startswith("target,as_of,latest_year")
    assert os.listdir(tmp_path) == ["assessment.csv"]
    book = tmp_path / "mine.xlsx"
    book.write_bytes(b"not yet a template")
    assert _run(["template", "--targets", registry, "--out", book], capsys)[0] == 2
    assert _run(["template", "--targets", registry, "--out", book, "--force"], capsys)[0] == 0
    assert "说明" in openpyxl.load_workbook(book).sheetnames


def test_a_folder_output_is_replaced_only_when_it_is_ours(packs, tmp_path, capsys):
    registry, data, old, _ = packs
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("keep me", encoding="utf-8")
    code, err = _run(_report_args(packs, theirs), capsys)
    assert code == 2 and err == (f"error: {theirs}: refused: it is not empty and was not written by `qanalysis "
                                 "report` (it has no .qanalysis-output file), and the output folder is replaced "
                                 "whole; expected a new or empty folder, or add --force to replace it and everything "
                                 "in it\n")
    assert (theirs / "notes.txt").exists()
    assert _run([*_report_args(packs, theirs), "--force"], capsys)[0] == 0
    assert not (theirs / "notes.txt").exists() and outputs.marker_command(theirs) == "report"
    built = tmp_path / "built"
    built.mkdir()
    (built / outputs.MARKER).write_text(outputs.marker_text("build"), encoding="utf-8")
    code, err = _run(_report_args(packs, built), capsys)
    assert code == 2 and "refused: it is the output of `qanalysis build`" in err
    legacy = tmp_path / "legacy"  # a pack written before markers existed: only the names a pack has
    shutil.copytree(old, legacy)
    (legacy / outputs.MARKER).unlink()
    assert outputs.check_output(legacy, "report", folder=True, known=pack.OUTPUT_FILES) == legacy
    (legacy / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="it is not empty and was not written by `qanalysis report`"):
        outputs.check_output(legacy, "report", folder=True, known=pack.OUTPUT_FILES)


def test_a_folder_output_never_holds_or_sits_in_an_input(packs, tmp_path, capsys):
    registry, data, _, _ = packs
    code, err = _run([*_report_args(packs, data.parent.parent), "--force"], capsys)
    assert code == 2 and f"refused: it holds the data file ({data}), which replacing the folder would delete" in err
    code, err = _run(_report_args(packs, data), capsys)
    assert code == 2 and f"error: {data}: refused: it is the data file" in err
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    (pack_dir / outputs.MARKER).write_text(outputs.marker_text("report"), encoding="utf-8")
    code, err = _run(["assess", "--as-of", "2020", "--data", data, "--targets", registry,
                      "--out", pack_dir / "a.csv"], capsys)
    assert code == 2 and err.startswith(f"error: {pack_dir / 'a.csv'}: refused: it lies inside {pack_dir}, the "
                                        "output of `qanalysis report`, which is replaced whole")


def test_a_file_where_a_folder_belongs_is_one_line(packs, builds, tmp_path, capsys):
    path = tmp_path / "a-file"
    path.write_text("x", encoding="utf-8")
    for args in (_report_args(packs, path), _build_args(builds, path)):
        code, err = _run(args, capsys)
        assert code == 2 and err == (f"error: {path}: refused: it is a file; expected a folder for --out (a new one "
                                     "is made)\n")
    series = tmp_path / "series.csv"
    series.write_text("series,year,value\ngdp,2019,1\ngdp,2020,2\n", encoding="utf-8")
    code, err = _run(["forecast", "--data", series, "--horizon", "1", "--out", path / "f.csv"], capsys)
    assert code == 2 and err == f"error: {path / 'f.csv'}: refused: {path} is a file, not a folder; expected another --out\n"


# ---- a folder that cannot be written -----------------------------------------------------------------------------


@contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """`folder` made read-only for this process: mode 555, and for root, whom modes do not stop, the immutable
    attribute (chattr +i). Skips the test where neither holds."""
    folder.chmod(0o555)
    immutable = os.geteuid() == 0 and shutil.which("chattr") is not None and subprocess.run(
        ["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    try:
        try:
            (folder / "probe").touch()
        except OSError:
            yield
        else:
            (folder / "probe").unlink()
            pytest.skip("no way to make a folder read-only here")
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_read_only_folder_is_one_line_and_changes_nothing(packs, builds, tmp_path, capsys):
    folder = tmp_path / "ro"
    shutil.copytree(packs[2], folder / "pack")
    shutil.copytree(builds[2], folder / "out")
    before = _hashes(folder)
    series = tmp_path / "series.csv"
    series.write_text("series,year,value\ngdp,2019,1\ngdp,2020,2\n", encoding="utf-8")
    runs = {"pack": _report_args(packs, folder / "pack"), "out": _build_args(builds, folder / "out"),
            "f.csv": ["forecast", "--data", series, "--horizon", "1", "--out", folder / "f.csv"]}
    with _read_only(folder):
        for name, args in runs.items():
            code, err = _run(args, capsys)
            assert code == 2 and re.fullmatch(
                f"error: {folder}: could not write \\((Permission denied|Operation not permitted)\\): no permission "
                f"to write there: choose a folder you can write to, or change its permissions; {folder / name} was "
                "left as it was\n", err), err
    assert _hashes(folder) == before and sorted(os.listdir(folder)) == ["out", "pack"]


def test_an_analysts_build_never_writes_the_reference_data(tmp_path, capsys):
    from qanalysis.ingest.new_workspace import init_workspace
    from qanalysis.workspace import DEFAULT_REFERENCE

    ws = init_workspace(tmp_path / "ws", reference=DEFAULT_REFERENCE)
    before = _hashes(settings.PROCESSED)
    code, err = _run(["build", "--workspace", ws.root, "--no-reference", "--out", settings.PROCESSED, "--force"],
                     capsys)
    assert code == 2 and err.startswith(f"error: {settings.PROCESSED}: refused: it is the processed data of the "
                                        f"reference workspace {DEFAULT_REFERENCE} ")
    assert _hashes(settings.PROCESSED) == before
