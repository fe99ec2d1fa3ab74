"""File I/O shared by every reader and writer: capped reads of regular files, output
paths checked before any work, atomic writes with the umask's mode.

Readers go through :func:`read_bytes`: only regular files are read (a FIFO with no
writer, ``/dev/zero`` or a directory is refused at once, never waited on or read
whole), opened non-blocking, and never more than the cap. Writers go through
:func:`atomic_write` / :func:`atomic_write_files`: temp files and renames, so a crash
or a signal never leaves a half-written output, and a set of files written together is
never left half old, half new: an interrupted set lacks its last file (docs/contract.md,
"Conventions").
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from theorymodel.errors import FormatError, ResourceLimitError, UsageError

MAX_FILE_BYTES = 16 * 1024 * 1024


def _path(path: str | os.PathLike[str]) -> Path:
    text = os.fspath(path)
    if "\0" in text:
        raise UsageError("a path must not contain a NUL character")
    return Path(text)


def _exists(p: Path) -> bool:
    try:
        return p.exists()
    except OSError:  # a name too long, a loop of links: not a file we can use
        return False


@contextlib.contextmanager
def _open_regular(p: Path, what: str) -> Iterator[tuple[int, os.stat_result]]:
    """An open descriptor and the status of a regular file: opened non-blocking (a FIFO
    with no writer never waits), anything else refused with one clear error."""
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise UsageError(f"no such {what}: {p}") from None
    except IsADirectoryError:
        raise UsageError(f"{p} is a directory, not a {what}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {p}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{p} is a directory, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{p} is not a regular file (a device, pipe or socket)")
        yield fd, info
    finally:
        os.close(fd)


def read_bytes(path: str | os.PathLike[str], *, cap: int = MAX_FILE_BYTES, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``cap`` bytes.

    Raises
    ------
    UsageError
        No such file, not a regular file (directory, FIFO, device), unreadable.
    ResourceLimitError
        Larger than ``cap`` (exit 3, ``"limit": "size-cap"``).
    """
    p = _path(path)
    with _open_regular(p, what) as (fd, info):
        if info.st_size > cap:
            raise ResourceLimitError(f"{p} is {info.st_size} bytes; the cap is {cap} bytes",
                                     limit="size-cap", details={"bytes": info.st_size, "cap": cap})
        chunks, total = [], 0
        while True:
            try:
                chunk = os.read(fd, min(1 << 20, cap + 1 - total))
            except OSError as exc:
                raise UsageError(f"cannot read {p}: {exc.strerror or exc}") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > cap:  # the file grew while we read it
                raise ResourceLimitError(f"{p} is more than {cap} bytes", limit="size-cap",
                                         details={"cap": cap})
        return b"".join(chunks)


def read_record(path: str | os.PathLike[str], offset: int, size: int, *, what: str = "file") -> bytes:
    """``size`` bytes at ``offset`` of a regular file (random access into a large
    database: nothing else is read).

    Raises
    ------
    UsageError
        No such file, not a regular file, or the record lies beyond its end.
    """
    p = _path(path)
    with _open_regular(p, what) as (fd, info):
        if offset < 0 or offset + size > info.st_size:
            raise UsageError(f"{p} has {info.st_size} bytes: no record of {size} bytes at offset {offset}")
        data = os.pread(fd, size, offset)
        if len(data) != size:
            raise UsageError(f"{p}: short read at offset {offset}")
        return data


def read_utf8(path: str | os.PathLike[str], *, cap: int = MAX_FILE_BYTES, what: str = "file") -> str:
    """:func:`read_bytes`, decoded as UTF-8 (one clear error for anything else)."""
    data = read_bytes(path, cap=cap, what=what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path} is not UTF-8 text (byte {exc.start})") from None


def check_output(path: str | os.PathLike[str] | None, *, directory: bool = False) -> None:
    """Refuse, before any work, an output path that cannot be written.

    A file output must not be a directory or an existing non-regular file (a device
    is never replaced by a file); a directory output must not be a file. The nearest
    existing parent must be a writable directory.
    """
    if path is None or os.fspath(path) == "":
        if path is not None:
            raise UsageError("an output path must not be empty")
        return
    p = _path(path)
    try:
        if len(p.name.encode("utf-8", "surrogateescape")) > 255:
            raise UsageError(f"the file name {p.name[:40]!r}... is too long")
    except UnicodeError:
        raise UsageError("the output path is not valid text") from None
    if _exists(p) or p.is_symlink():
        if directory and not p.is_dir():
            raise UsageError(f"{p} exists and is not a directory")
        if not directory and p.is_dir():
            raise UsageError(f"{p} is a directory; give a file name")
        if not directory and not p.is_file():
            raise UsageError(f"{p} is not a regular file; refusing to replace it")
    parent = p if (directory and _exists(p)) else p.parent
    while not _exists(parent) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"{parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write into {parent} (permission denied)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _umask_mode() -> int:
    return 0o666 & ~_umask()


_PENDING: set[Path] = set()  # temp files and folders being written now


def remove_pending_temp_files() -> None:
    """Remove the temp files of writes in progress (a forced exit's cleanup)."""
    for tmp in list(_PENDING):
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temp file and a rename.

    A crash, an error or a signal while writing never leaves a half-written ``path``
    (nor the temp file): either the old file (or none) or the complete new one is
    there. The file gets the mode the umask gives.
    """
    target = _path(path)
    check_output(target)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    _PENDING.add(Path(tmp))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        _PENDING.discard(Path(tmp))
    return target


def atomic_write_files(directory: str | os.PathLike[str], files: dict[str, bytes]) -> list[Path]:
    """Write several files into ``directory`` as one set.

    Every file is first written whole, and synced, to a temp file in ``directory``. Then
    the set's last file (a certificate's ``certificate.json``, which lists and hashes the
    others) is removed if it is there, the others are renamed into place, and the last
    one is renamed last. So each file is always whole, and an interrupted write leaves
    the set without its last file: never half old, half new under a complete-looking
    set. Nothing else in the folder is touched (other writers' files stay), and a folder
    that is a symbolic link is written through.
    """
    out = _path(directory)
    check_output(out, directory=True)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write into {out}: {exc.strerror or exc}") from None
    temps: dict[str, Path] = {}
    mode = _umask_mode()
    try:
        for name, data in files.items():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name[:100]}.", suffix=".tmp", dir=out)
            temps[name] = Path(tmp_name)
            _PENDING.add(Path(tmp_name))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp_name, mode)
        names = list(files)
        if names:
            (out / names[-1]).unlink(missing_ok=True)
        for name in names:
            os.replace(temps[name], out / name)
            _PENDING.discard(temps.pop(name))
    except OSError as exc:
        raise UsageError(f"cannot write into {out}: {exc.strerror or exc}") from None
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        _PENDING.difference_update(temps.values())
    return [out / name for name in files]
