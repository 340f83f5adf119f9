"""The one safe way to write a file: every file the project writes goes through here.

`nn.save`, and in viz `render`, `render_steps`, `stepper_html` and the command line's
--svg/--png/--dot/--html all use `write_file` or `write_files`. It sits in the engine's
package, standard library only, because both nn and viz build on it:

- Only regular files are written. A target that is a device (`/dev/null`), a named pipe
  (FIFO), a socket or a directory is refused with `UnsafeTargetError`, and nothing is
  written; it is never replaced by a regular file.
- A symbolic link is written through: the file it points to is replaced and the link
  stays. A link to nothing, or to something that is not a regular file, is refused.
- Data goes to a temporary file in the target's folder, which is then renamed over the
  target, so a failure never leaves a half-written file.
- An existing file keeps its permission bits (a 0600 file stays 0600) and, when the
  process may set them, its owner and group; a new file gets the usual mode (0666 less
  the umask). (A file with other hard links gets a new inode; its other names keep the
  old content.)
- Several files are written all or nothing: every target is checked and every temporary
  written before the first rename; if anything fails, the renamed files get their old
  content back, new files and the folders made for them are removed. One file given
  twice (also through a link) is refused before anything is written.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


class UnsafeTargetError(OSError):
    """A path the safe writer refuses: not a regular file, a broken link, or given twice.

    Example:
        >>> write_file(".", b"")
        Traceback (most recent call last):
        ...
        autograd.files.UnsafeTargetError: refusing to write .: it is a directory, not a regular file (only regular files are written, never replaced)
    """  # noqa: E501


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a stat mode describes, in words: "a regular file", "a directory", ..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


@dataclass
class _Target:
    given: Path  # the path as the caller wrote it
    real: Path  # where the data goes: the path itself, or the file a link points to
    existing: os.stat_result | None  # the file being replaced, or None
    temporary: Path | None = None
    backup: Path | None = None
    renamed: bool = False
    made_folders: list[Path] = field(default_factory=list)


def check_target(path: str | os.PathLike) -> Path:
    """Check that path may be written (see the module text); return where the data goes.

    Raises UnsafeTargetError for a device, FIFO, socket, directory or broken link. Nothing
    is opened, so a FIFO cannot hang the check.

    Example:
        >>> import tempfile, os
        >>> folder = tempfile.mkdtemp()
        >>> check_target(os.path.join(folder, "new.json")).name
        'new.json'
    """
    return _plan(path).real


def _plan(path: str | os.PathLike) -> _Target:
    given = Path(os.fspath(path))
    if os.fspath(path) == "":
        raise UnsafeTargetError("refusing to write: the path is empty")
    try:
        status = os.lstat(given)
    except FileNotFoundError:
        return _Target(given, given, None)
    real = given
    if stat.S_ISLNK(status.st_mode):
        try:
            status = os.stat(given)
        except FileNotFoundError:
            raise UnsafeTargetError(
                f"refusing to write {given}: it is a symbolic link to "
                f"{os.readlink(given)}, which does not exist"
            ) from None
        except OSError as err:
            raise UnsafeTargetError(
                f"refusing to write {given}: a symbolic link that cannot be followed "
                f"({err.strerror})"
            ) from None
        real = Path(os.path.realpath(given))
    if not stat.S_ISREG(status.st_mode):
        through = f" (the link leads to {real})" if real != given else ""
        raise UnsafeTargetError(
            f"refusing to write {given}: it is {file_kind(status.st_mode)}{through}, "
            "not a regular file (only regular files are written, never replaced)"
        )
    return _Target(given, real, status)


def _identity(target: _Target) -> tuple:
    if target.existing is not None:
        return ("inode", target.existing.st_dev, target.existing.st_ino)
    return ("path", os.path.normcase(os.path.realpath(target.real)))


def check_targets(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """check_target for each path, and refuse one file named twice; return the real paths.

    Example:
        >>> check_targets(["a.svg", "out/../a.svg"])
        Traceback (most recent call last):
        ...
        autograd.files.UnsafeTargetError: refusing to write a.svg and out/../a.svg: both name the same file
    """  # noqa: E501
    return [target.real for target in _plan_all(paths)]


def _plan_all(paths: Sequence[str | os.PathLike]) -> list[_Target]:
    targets = [_plan(path) for path in paths]
    seen: dict[tuple, _Target] = {}
    for target in targets:
        key = _identity(target)
        if key in seen:
            raise UnsafeTargetError(
                f"refusing to write {seen[key].given} and {target.given}: both name the same file"
            )
        seen[key] = target
    return targets


def write_file(path: str | os.PathLike, data: bytes) -> Path:
    """Write data to path safely (see the module text); return the path as given.

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "sub", "note.txt")
        >>> write_file(path, b"hello").read_bytes()
        b'hello'
    """
    return write_files([(path, data)])[0]


def write_files(items: Sequence[tuple[str | os.PathLike, bytes]]) -> list[Path]:
    """Write several files all or nothing (see the module text); return their paths.

    Missing folders are made (and removed again if the writing fails).

    Example:
        >>> import tempfile, os
        >>> folder = tempfile.mkdtemp()
        >>> [p.name for p in write_files([(os.path.join(folder, "a.dot"), b"digraph {}"),
        ...                               (os.path.join(folder, "b.txt"), b"b")])]
        ['a.dot', 'b.txt']
    """
    for _, data in items:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"write_files: data must be bytes, got {type(data).__name__}")
    targets = _plan_all([path for path, _ in items])
    try:
        for target, (_, data) in zip(targets, items, strict=True):
            _stage(target, bytes(data))
        for target in targets:
            _commit(target, keep_backup=len(targets) > 1)
    except BaseException:
        _roll_back(targets)
        raise
    for target in targets:
        if target.backup is not None:
            target.backup.unlink(missing_ok=True)
    for folder in {target.real.parent for target in targets}:
        _sync_folder(folder)
    return [target.given for target in targets]


def _make_folders(folder: Path) -> list[Path]:
    """Make folder and any missing parents; return the ones made, outermost first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        if folder.is_symlink():  # a broken link where a folder should be
            raise UnsafeTargetError(f"refusing to write into {folder}: a broken symbolic link")
        missing.append(folder)
        folder = folder.parent
    made = []
    for path in reversed(missing):
        path.mkdir()
        made.append(path)
    return made


def _stage(target: _Target, data: bytes) -> None:
    folder = target.real.parent
    target.made_folders = _make_folders(folder)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        temporary = folder / f".{target.real.name}.{secrets.token_hex(4)}.tmp"
        try:
            handle = os.open(temporary, flags, 0o666)  # the umask applies, as for open()
            break
        except FileExistsError:
            continue
    target.temporary = temporary
    with os.fdopen(handle, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    existing = target.existing
    if existing is not None:
        if hasattr(os, "chown") and (existing.st_uid, existing.st_gid) != _owner(temporary):
            try:
                os.chown(temporary, existing.st_uid, existing.st_gid)
            except OSError:  # only root may give a file away; keep ours
                pass
        os.chmod(temporary, stat.S_IMODE(existing.st_mode) & 0o777)


def _owner(path: Path) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_uid, status.st_gid


def _commit(target: _Target, keep_backup: bool) -> None:
    # Checked again just before the rename: the target may have changed since the plan.
    now = _plan(target.given)
    if now.real != target.real:
        raise UnsafeTargetError(f"refusing to write {target.given}: it changed while writing")
    target.existing = target.existing or now.existing  # made meanwhile: restore it on failure
    if keep_backup and now.existing is not None:
        target.backup = target.real.parent / f".{target.real.name}.{secrets.token_hex(4)}.bak"
        try:
            os.link(target.real, target.backup)
        except OSError:  # no hard links here: a copy keeps the old content as well
            shutil.copy2(target.real, target.backup)
    os.replace(target.temporary, target.real)
    target.renamed = True


def _roll_back(targets: list[_Target]) -> None:
    for target in reversed(targets):
        try:
            if target.renamed:
                if target.backup is not None:
                    os.replace(target.backup, target.real)
                    target.backup = None
                elif target.existing is None:
                    target.real.unlink(missing_ok=True)
            elif target.temporary is not None:
                target.temporary.unlink(missing_ok=True)
            if target.backup is not None:
                target.backup.unlink(missing_ok=True)
            for folder in reversed(target.made_folders):
                folder.rmdir()  # empty unless someone else wrote there: then it stays
        except OSError:
            continue


def _sync_folder(folder: Path) -> None:
    """fsync a folder so the renames in it survive a crash (where the OS allows it)."""
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
