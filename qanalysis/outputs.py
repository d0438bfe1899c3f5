"""How every output is written: whole or not at all, never over an input, one writer at a time, byte-identical.

The analysts' outputs are what they hand on, and their inputs are what they cannot rebuild; a run cut short (Ctrl-C,
SIGTERM from a scheduler, a full disk) must leave neither a half-written pack that looks complete nor a damaged input.
So every command writes through this module, and only through it:

- **one file** (`write_file`, `save_workbook`): written to a temporary file in the same folder, flushed to disk and
  renamed over the target; a rename within one file system is atomic, so readers see the old bytes or the new;
- **a folder** (`output_folder`): the whole output is made in a hidden staging sibling, with a marker file
  (`.qanalysis-output`, naming the command) and swapped in only when complete: old folder renamed aside, new one
  renamed in, old one deleted, with SIGINT and SIGTERM blocked for those few system calls. The folder is replaced
  whole, so no file of an earlier run lingers beside the new ones;
- **one writer** (`output_lock`): a lock file beside the output, created exclusively and holding the writer's pid;
  a second run is refused, and a lock whose pid is dead (a run killed with SIGKILL) is taken over;
- **inputs are never outputs** (`check_output`): an output that is, lies inside or holds an input is refused, and so
  is an existing file (without --force) or a folder that is not ours (no marker) and not empty;
- **the environment's failures** (`writing`): while an output is written, SIGTERM raises `Terminated`, so every
  `finally` cleans up as on Ctrl-C, and an OSError (no permission, disk full, a file where a folder belongs) becomes
  an `InputError` naming the path and what to do, the previous output intact.

Workbooks: openpyxl stamps the clock into a workbook twice, the `modified` property (wb.save overwrites it) and the
date of every zip entry. Both are fixed here (`workbook_bytes`), for the briefing's scorecard, the fill-in template
and the curated workbook alike, so the same inputs give the same bytes.

Cells are written through `put_cell` and `append_row`, which keep text as text: openpyxl stores any str starting
with "=" as a formula, so a target name or source title "=HYPERLINK(...)" would be a live formula in the reader's
Excel.
"""

from __future__ import annotations

import datetime as dt
import errno
import glob
import io
import os
import secrets
import shutil
import signal
import stat
import threading
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .errors import InputError

FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook created/modified
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries: the earliest date the format holds

MARKER = ".qanalysis-output"  # in every output folder: it is ours, and may be replaced whole by the same command
LOCK = ".qanalysis-lock"  # .<name>.qanalysis-lock beside an output while a run writes it
STAGE = ".qanalysis-stage-"  # .<name>.qanalysis-stage-XXXX: a folder output being made
OLD = ".qanalysis-old-"  # .<name>.qanalysis-old-XXXX: the previous folder, between the two renames of a swap
PART = ".qanalysis-part"  # .<name>.XXXX.qanalysis-part: a single file being written
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class Terminated(SystemExit):
    """SIGTERM while an output is written: a SystemExit (exit code 143, as a shell reports a SIGTERM death) raised
    where the program stands, so the staging folder, the lock and any half-written file are removed on the way out."""

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


# ---- workbooks ---------------------------------------------------------------------------------------------------


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes of `wb` with fixed properties and zip-entry dates."""
    wb.properties.creator = "qanalysis"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # not save_workbook(): that stamps `modified` with the clock
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(zipfile.ZipInfo(item.filename, date_time=ZIP_TIME), src.read(item.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Write `wb` to `path` deterministically (see workbook_bytes) and atomically (see write_file); return the path."""
    return write_file(Path(path), workbook_bytes(wb))


# ---- one file ----------------------------------------------------------------------------------------------------


def write_file(path: Path, data: bytes, fsync: bool = True) -> Path:
    """Write `data` to `path` whole or not at all (see `replacing`)."""
    with replacing(path, fsync=fsync) as handle:
        handle.write(data)
    return Path(path)


@contextmanager
def replacing(path: Path, fsync: bool = True) -> Iterator[BinaryIO]:
    """A binary stream whose bytes become `path` only when the block ends without an exception: a temporary file in
    the same folder, renamed over `path`. For outputs written piece by piece (a forecast of millions of rows) as well
    as whole (`write_file`).

    A reader (or a run killed half-way) sees the old bytes or the new, never a truncated file: the part file is
    removed on any failure, Ctrl-C included. `fsync` flushes the bytes to disk before the rename, so that a power
    cut cannot leave the new name on empty blocks. OSError propagates: the caller (`writing`) says what to do."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = None
    try:
        with signals_held():  # a signal between creating the part file and knowing its name would leave it behind
            fd, part = _part_file(path)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(part, path)
    except BaseException:
        if part is not None:
            part.unlink(missing_ok=True)
        raise


def _part_file(path: Path) -> tuple[int, Path]:
    """A new hidden `.<name>.XXXXXXXX.qanalysis-part` beside `path`, created exclusively with the permissions any new
    file of the user gets (mkstemp's would be 0600)."""
    while True:
        part = path.parent / f".{path.name}.{secrets.token_hex(4)}{PART}"
        try:
            return os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666), part
        except FileExistsError:
            continue


# ---- the environment's failures ----------------------------------------------------------------------------------

ADVICE = {
    errno.ENOSPC: "the disk is full: free some space, or write to another disk",
    errno.EDQUOT: "the disk quota is used up: free some space, or write to another disk",
    errno.EACCES: "no permission to write there: choose a folder you can write to, or change its permissions",
    errno.EPERM: "no permission to write there: choose a folder you can write to, or change its permissions",
    errno.EROFS: "the file system is read-only: choose a folder on a writable disk",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
    errno.EISDIR: "it is a folder: expected a file name",
    errno.ENAMETOOLONG: "the name is too long: choose a shorter path",
    errno.EEXIST: "something is in the way: choose another path",
}


def os_error_message(exc: OSError, out: Path, staging: Path | None = None) -> str:
    """One line for an OSError met while writing `out`: the path that failed (a staged file named by its final
    place), the system's reason, what to do, and that the previous output is as it was."""
    where = Path(exc.filename) if exc.filename else out
    if staging is not None and where.is_relative_to(staging):
        where = out / where.relative_to(staging)
    if where.name.startswith(".") and ".qanalysis-" in where.name:
        where = where.parent  # our lock, part file or staging folder: the folder is what the analyst knows
    reason = exc.strerror or type(exc).__name__
    advice = ADVICE.get(exc.errno or 0, "check the path and try again")
    return f"{where}: could not write ({reason}): {advice}; {out} was left as it was"


@contextmanager
def os_errors(out: Path, staging: Path | None = None) -> Iterator[None]:
    """OSError in the block -> InputError (see os_error_message): an unwritable disk is the environment's problem,
    for the analyst to fix, not a bug to show with a traceback."""
    try:
        yield
    except OSError as exc:
        raise InputError(os_error_message(exc, Path(out), staging)) from None


# ---- signals -----------------------------------------------------------------------------------------------------


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def terminate_raises() -> Iterator[None]:
    """While the block runs, SIGTERM raises `Terminated` (as SIGINT raises KeyboardInterrupt), so cleanup runs;
    the previous handler comes back afterwards. Python handles signals only in the main thread: elsewhere a no-op."""
    if not _in_main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back (not lost) for a few system calls that must not be cut in half: a swap, a
    cleanup, taking or releasing the lock. A held signal is acted on as before when the block ends.

    Held in Python, not with pthread_sigmask alone: a mask is per thread, and numpy's BLAS threads leave the signal a
    thread to land on, whose flag Python then acts on in the main thread, mid-swap. So the handlers themselves are
    swapped for one that only notes the signal; the mask is also set, so this thread is not woken for nothing."""
    if not _in_main_thread():
        yield
        return
    held: list[signal.Signals] = []
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    mask = None
    try:
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda signum, frame: held.append(signal.Signals(signum)))
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        yield
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # one masked meanwhile lands now: in `held`, or else
            # with the previous handler once it is back; either way after the block
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if held:
            _act_on(held[0], previous[held[0]])


def _act_on(signum: int, handler: object) -> None:
    """Do what the handler in place before `signals_held` would have done with the signal."""
    if callable(handler):
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(signum)


# ---- one writer at a time ----------------------------------------------------------------------------------------


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}{LOCK}"


def _lock_pid(lock: Path) -> int | None:
    """The pid in a lock file, or None when it has none. A writer puts its pid in right after creating the file,
    with signals blocked, so an empty lock is given a moment before it counts as abandoned."""
    for _ in range(20):
        try:
            text = lock.read_text(encoding="ascii", errors="replace").strip()
        except FileNotFoundError:
            return None
        if text:
            return int(text) if text.isdigit() else None
        time.sleep(0.01)
    return None


def _alive(pid: int) -> bool:
    """Whether a process of that pid exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def _take_over(lock: Path, dead: int | None) -> None:
    """Remove a stale lock (its writer died). It is renamed aside first, and put back if it turns out to be a live
    writer's that replaced the stale one meanwhile, so two runs taking over at once cannot both win."""
    aside = lock.with_name(f"{lock.name}.stale-{os.getpid()}")
    try:
        os.rename(lock, aside)
    except FileNotFoundError:
        return
    if _lock_pid(aside) != dead:
        try:
            os.link(aside, lock)
        except OSError:
            pass
    aside.unlink(missing_ok=True)


def _acquire(lock: Path, out: Path) -> None:
    for _ in range(5):
        if _create_lock(lock):
            return
        pid = _lock_pid(lock)
        if pid is not None and _alive(pid):
            raise InputError(f"{out}: another qanalysis run (pid {pid}) is writing {out}; wait for it to finish, or "
                             f"stop it (if no run is left, delete {lock})")
        _take_over(lock, pid)
    raise InputError(f"{out}: could not take the lock {lock}: other runs keep taking it; try again")


def _create_lock(lock: Path) -> bool:
    """Create `lock` holding this run's pid; False when it exists already.

    The pid goes into a part file first, hard-linked to the lock's name: link, like open(O_CREAT|O_EXCL), fails when
    the name exists, and the lock is never seen empty (a run stopped between creating and writing it would otherwise
    look abandoned). Where hard links are not supported: O_CREAT|O_EXCL, then the pid."""
    part = lock.with_name(f"{lock.name}.{secrets.token_hex(4)}")
    part.write_text(f"{os.getpid()}\n", encoding="ascii")
    try:
        os.link(part, lock)
        return True
    except (FileExistsError, FileNotFoundError):  # taken; or our part file cleared as debris by the lock's holder
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
    finally:
        part.unlink(missing_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{os.getpid()}\n")
    return True


@contextmanager
def output_lock(out: Path) -> Iterator[Path]:
    """Hold `.<name>.qanalysis-lock` beside `out` for the block: a second run writing `out` is refused with
    InputError ("another qanalysis run (pid N) is writing ..."), a lock left by a dead run is taken over."""
    out = Path(out)
    lock = lock_path(out)
    acquired = False
    try:
        with signals_held():  # taken and known as taken at once, so that `finally` releases it
            _acquire(lock, out)
            acquired = True
        yield lock
    finally:
        if acquired:
            with signals_held():
                if _lock_pid(lock) == os.getpid():
                    lock.unlink(missing_ok=True)


def _debris(out: Path) -> list[Path]:
    """What runs killed with SIGKILL (which no program can catch) may have left beside `out`."""
    name = glob.escape(out.name)
    patterns = [f".{name}{STAGE}*", f".{name}{OLD}*", f".{name}.*{PART}", f".{name}{LOCK}.*"]
    return sorted(p for pattern in patterns for p in out.parent.glob(pattern))


def _clear_debris(out: Path) -> None:
    """Called under the lock, so no live run owns any of it. A previous folder renamed aside by a run killed between
    the two renames of its swap is put back first: the old output, complete, rather than none."""
    olds = sorted(out.parent.glob(f".{glob.escape(out.name)}{OLD}*"))
    if len(olds) == 1 and not out.exists() and not out.is_symlink():
        os.rename(olds[0], out)
    for path in _debris(out):
        _remove(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# ---- the frame of every output -----------------------------------------------------------------------------------


def _missing_parents(folder: Path) -> list[Path]:
    """The folders that do not exist yet on the way to `folder`, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


@contextmanager
def writing(out: Path) -> Iterator[None]:
    """The frame every command writes `out` in: SIGTERM raises `Terminated`, an OSError becomes an InputError, the
    output's lock is held, debris of killed runs is cleared; folders made for `out` are removed again on failure."""
    out = Path(out)
    with terminate_raises(), os_errors(out):
        created: list[Path] = []
        done = False
        try:
            with signals_held():
                created = _missing_parents(out.parent)
                out.parent.mkdir(parents=True, exist_ok=True)
            with output_lock(out):
                _clear_debris(out)
                yield
            done = True
        finally:
            if not done:
                for folder in created:
                    try:
                        folder.rmdir()
                    except OSError:
                        break


def marker_text(command: str) -> str:
    return (f"# written by `qanalysis {command}`: the whole folder is replaced when it runs again, so keep nothing "
            f"else here\ncommand: {command}\n")


def marker_command(folder: Path) -> str | None:
    """The command named by `folder`'s marker file, or None when it has none (or an unreadable one)."""
    try:
        text = (Path(folder) / MARKER).read_text(encoding="utf-8")[:1000]
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        if line.startswith("command:"):
            return line.removeprefix("command:").strip() or None
    return None


@contextmanager
def output_folder(out: Path, command: str, marker: bool = True, fsync: bool = True) -> Iterator[Path]:
    """Yield a hidden staging folder beside `out` to write the whole output into; when the block ends without an
    exception, add the marker file and swap the staging folder in as `out` (see the module docstring). On any
    exception (Ctrl-C and SIGTERM included) the staging folder is removed and `out` is as it was.

    Call `check_output(out, folder=True, ...)` first: this replaces `out` whole. `marker=False` is for a folder
    that is not a replaceable output (a new workspace: rerunning `init` must never replace it)."""
    out = Path(out)
    with writing(out):
        staging = None
        try:
            with signals_held():  # made and known at once, so that `finally` removes it
                staging = _staging_folder(out)
            with os_errors(out, staging):
                yield staging
                if marker:
                    (staging / MARKER).write_text(marker_text(command), encoding="utf-8")
                if fsync:
                    _sync_tree(staging)
                with signals_held():
                    _swap(staging, out)
                if fsync:
                    _sync_dir(out.parent)
        finally:
            if staging is not None:
                with signals_held():
                    shutil.rmtree(staging, ignore_errors=True)


def _staging_folder(out: Path) -> Path:
    """A new hidden `.<name>.qanalysis-stage-XXXXXXXX` beside `out`, with the permissions any new folder of the user
    gets (mkdtemp's would be 0700)."""
    while True:
        staging = out.parent / f".{out.name}{STAGE}{secrets.token_hex(4)}"
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging


def _swap(staging: Path, out: Path) -> None:
    """Rename `out` aside, `staging` in, then delete the old folder; if the second rename fails, the old folder goes
    back. Run with SIGINT/SIGTERM held (signals_held), so a signal cannot fall between the two renames."""
    aside = None
    if out.exists() or out.is_symlink():
        staging.chmod(stat.S_IMODE(out.lstat().st_mode))  # the output keeps the permissions it had
        aside = out.parent / staging.name.replace(STAGE, OLD, 1)
        os.rename(out, aside)
    try:
        os.rename(staging, out)
    except BaseException:
        if aside is not None:
            os.rename(aside, out)
        raise
    if aside is not None:
        _remove(aside)


def _sync_tree(folder: Path) -> None:
    """Flush every staged file and folder to disk before the swap makes them the output."""
    for root, _, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_dir(Path(root))


def _sync_dir(folder: Path) -> None:
    """Flush a folder's entries (the renames) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename is still atomic
    finally:
        os.close(fd)


# ---- inputs are never outputs ------------------------------------------------------------------------------------


def check_output(out: Path | str, command: str, inputs: Mapping[str, Path | str | None] | None = None,
                 folder: bool = False, force: bool = False, known: frozenset[str] = frozenset()) -> Path:
    """Refuse an output that would destroy something; return `out` as a Path. Called before any work is done.

    `inputs` names the run's inputs ({"the data file": path, ...}; None values are skipped): an output that is one,
    lies inside one or (a folder, replaced whole) holds one is refused, with or without `force`. So is an output inside
    another command's output folder (replaced whole on its next run). A file output must not exist unless `force`.
    A folder output must be new, empty or ours: its marker names `command`, or (written before markers existed)
    it holds only names in `known`; otherwise `force` is needed. A folder holding the working or home folder is
    never replaced."""
    out = Path(out)
    target = out.resolve()
    refuse_inputs(out, inputs or {}, folder)
    _refuse_inside_output(out, target)
    _refuse_file_on_the_way(out)
    if folder:
        _check_folder(out, target, command, force, known)
    else:
        _check_file(out, force)
    return out


def refuse_inputs(out: Path, inputs: Mapping[str, Path | str | None], folder: bool = False) -> None:
    """InputError when `out` is, lies inside or (a `folder` output, replaced whole) holds one of `inputs`."""
    target = Path(out).resolve()
    for label, given in inputs.items():
        if given is not None:
            _refuse_input(Path(out), target, label, Path(given), folder)


def _refuse_input(out: Path, target: Path, label: str, given: Path, folder: bool) -> None:
    source = given.resolve()
    if target == source:
        raise InputError(f"{out}: refused: it is {label} ({given}), an input of this run, which is only ever read; "
                         "expected another --out")
    if target.is_relative_to(source):
        raise InputError(f"{out}: refused: it lies inside {label} ({given}), which is only ever read; expected "
                         "an --out outside it")
    if folder and source.is_relative_to(target):
        raise InputError(f"{out}: refused: it holds {label} ({given}), which replacing the folder would delete; "
                         "expected a new folder for the output")


def _refuse_inside_output(out: Path, target: Path) -> None:
    for parent in target.parents:
        command = marker_command(parent)
        if command is not None:
            raise InputError(f"{out}: refused: it lies inside {parent}, the output of `qanalysis {command}`, which "
                             "is replaced whole when that runs again; expected an --out outside it")


def _refuse_file_on_the_way(out: Path) -> None:
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"{out}: refused: {parent} is a file, not a folder; expected another --out")
            return


def _check_file(out: Path, force: bool) -> None:
    if out.is_dir():
        raise InputError(f"{out}: refused: it is a folder; expected a file name for --out")
    if (out.exists() or out.is_symlink()) and not force:
        raise InputError(f"{out}: refused: the file exists; expected a new file name, or add --force to replace it")


def _check_folder(out: Path, target: Path, command: str, force: bool, known: frozenset[str]) -> None:
    if not (out.exists() or out.is_symlink()):
        return
    if out.is_symlink() or not out.is_dir():
        kind = "a symbolic link" if out.is_symlink() else "a file"
        raise InputError(f"{out}: refused: it is {kind}; expected a folder for --out (a new one is made)")
    for precious, what in ((Path.cwd(), "the working folder"), (Path.home(), "your home folder")):
        if precious.resolve().is_relative_to(target):
            raise InputError(f"{out}: refused: it holds {what}, and the output folder is replaced whole; "
                             "expected a new folder for the output")
    if force or _is_ours(out, command, known):
        return
    owner = marker_command(out)
    why = (f"it is the output of `qanalysis {owner}`" if owner else
           f"it is not empty and was not written by `qanalysis {command}` (it has no {MARKER} file)")
    raise InputError(f"{out}: refused: {why}, and the output folder is replaced whole; expected a new or empty "
                     "folder, or add --force to replace it and everything in it")


def _is_ours(out: Path, command: str, known: frozenset[str]) -> bool:
    """Empty, marked by the same command, or (an output from before markers) holding only names it writes."""
    names = {p.name for p in out.iterdir()}
    if not names:
        return True
    if MARKER in names:
        return marker_command(out) == command
    return bool(known) and names <= known


def put_cell(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write one cell; a str is always a text cell, never a formula (see the module docstring). Returns the cell."""
    cell = ws.cell(row=row, column=column, value=value)
    _as_text(cell)
    return cell


def append_row(ws: Worksheet, values: list) -> None:
    """ws.append(values), with every str a text cell, never a formula."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        _as_text(cell)


def _as_text(cell: Cell) -> None:
    if isinstance(cell.value, str):
        cell.data_type = "s"
