"""Every viz output is written by nn.serialization's one safe writer (issue 15, defects 1-3).

render, render_steps and stepper_html refuse devices, FIFOs and directories, write
through symlinks, keep an existing file's mode; write_files is all or nothing.
"""

import os
import stat
from pathlib import Path

import pytest

from autograd import Value
from autograd.files import UnsafeTargetError, check_targets, write_file, write_files
from nn import serialization
from viz import draw_graph, render, render_steps, stepper_html


def small_graph():
    x = Value(2.0, "x")
    y = (x * x).tanh()
    y.label = "y"
    return y


def listing(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


def make_device(tmp_path):
    """A character device: a fresh one in tmp_path when root, else /dev/null (which a
    non-root process cannot replace, so a regression cannot break the system)."""
    if os.geteuid() == 0:
        path = tmp_path / "null"
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        return path
    return Path("/dev/null")


WRITERS = {
    "render .svg": lambda path: render(small_graph(), path, fmt="svg"),
    "render .dot": lambda path: render(small_graph(), path, fmt="dot"),
    "drawing.render": lambda path: draw_graph(small_graph()).render(path, fmt="dot"),
    "stepper_html": lambda path: stepper_html(small_graph(), path),
    "write_file": lambda path: write_file(path, b"data"),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_fifo_is_refused_and_stays_a_fifo(tmp_path, writer):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    with pytest.raises(UnsafeTargetError, match="a named pipe \\(FIFO\\), not a regular file"):
        WRITERS[writer](path)
    assert stat.S_ISFIFO(os.lstat(path).st_mode)
    assert listing(tmp_path) == ["pipe"]


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_device_is_refused_and_stays_a_device(tmp_path, writer):
    path = make_device(tmp_path)
    with pytest.raises(UnsafeTargetError, match="a character device"):
        WRITERS[writer](path)
    assert stat.S_ISCHR(os.lstat(path).st_mode)


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_symlink_is_written_through_and_stays_a_link(tmp_path, writer):
    real = tmp_path / "real"
    real.write_bytes(b"old")
    real.chmod(0o600)
    link = tmp_path / "link"
    link.symlink_to("real")
    WRITERS[writer](link)
    assert link.is_symlink() and os.readlink(link) == "real"
    assert real.read_bytes() != b"old"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert listing(tmp_path) == ["link", "real"]


@pytest.mark.parametrize("mode", [0o600, 0o604, 0o660])
def test_an_existing_file_keeps_its_mode(tmp_path, mode):
    path = tmp_path / "g.dot"
    path.write_text("old")
    path.chmod(mode)
    render(small_graph(), path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_text().startswith("digraph")


def test_a_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        path = write_file(tmp_path / "new.txt", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_the_same_file_twice_is_refused_before_writing(tmp_path):
    (tmp_path / "real").write_text("old")
    (tmp_path / "link").symlink_to("real")
    os.link(tmp_path / "real", tmp_path / "hard")
    pairs = [
        ("a.txt", "a.txt"), ("a.txt", "sub/../a.txt"), ("real", "link"), ("real", "hard"),
    ]
    for first, second in pairs:
        with pytest.raises(UnsafeTargetError, match="both name the same file"):
            write_files([(tmp_path / first, b"1"), (tmp_path / second, b"2")])
        with pytest.raises(UnsafeTargetError, match="both name the same file"):
            check_targets([tmp_path / first, tmp_path / second])
    assert listing(tmp_path) == ["hard", "link", "real"]
    assert (tmp_path / "real").read_text() == "old"


def test_write_files_is_all_or_nothing_when_a_rename_fails(tmp_path, monkeypatch):
    (tmp_path / "old.svg").write_text("old svg")
    (tmp_path / "old.svg").chmod(0o600)
    items = [
        (tmp_path / "old.svg", b"new svg"),
        (tmp_path / "new" / "deeper" / "x.dot", b"new dot"),
        (tmp_path / "third.html", b"new html"),
    ]
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if Path(dst).name == "third.html":
            raise OSError("disk full (simulated)")
        return real_replace(src, dst)

    monkeypatch.setattr(serialization.os, "replace", replace)
    with pytest.raises(OSError, match="simulated"):
        write_files(items)
    monkeypatch.undo()
    assert len(calls) >= 3  # the first two were renamed into place, then put back
    assert (tmp_path / "old.svg").read_text() == "old svg"
    assert stat.S_IMODE((tmp_path / "old.svg").stat().st_mode) == 0o600
    assert listing(tmp_path) == ["old.svg"]  # no new file, folder, temporary or backup


def test_write_files_is_all_or_nothing_when_a_folder_cannot_be_made(tmp_path):
    (tmp_path / "old.svg").write_text("old svg")
    (tmp_path / "blocked").write_text("a file where a folder should be")
    items = [
        (tmp_path / "old.svg", b"new"),
        (tmp_path / "made" / "y.dot", b"new"),
        (tmp_path / "blocked" / "x.html", b"new"),
    ]
    with pytest.raises(OSError):
        write_files(items)
    assert (tmp_path / "old.svg").read_text() == "old svg"
    assert listing(tmp_path) == ["blocked", "old.svg"]


def test_write_files_refuses_a_fifo_among_others_before_writing_any(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(UnsafeTargetError, match="pipe"):
        write_files([(tmp_path / "a.txt", b"a"), (tmp_path / "pipe", b"p")])
    assert listing(tmp_path) == ["pipe"]


def test_write_files_writes_everything_and_makes_folders(tmp_path):
    paths = write_files([(tmp_path / "a" / "b" / "1.txt", b"one"), (tmp_path / "2.txt", b"two")])
    assert [p.read_bytes() for p in paths] == [b"one", b"two"]
    assert listing(tmp_path) == ["2.txt", "a", "a/b", "a/b/1.txt"]


def test_render_steps_refuses_a_fifo_frame_and_writes_no_frame(tmp_path):
    os.mkfifo(tmp_path / "step_001.dot")
    with pytest.raises(UnsafeTargetError, match="step_001.dot"):
        render_steps(small_graph(), tmp_path, fmt="dot")
    assert listing(tmp_path) == ["step_001.dot"]


def test_an_empty_path_and_a_broken_link_are_refused(tmp_path):
    with pytest.raises(UnsafeTargetError, match="the path is empty"):
        write_file("", b"x")
    (tmp_path / "broken").symlink_to(tmp_path / "missing" / "file")
    with pytest.raises(UnsafeTargetError, match="which does not exist"):
        render(small_graph(), tmp_path / "broken", fmt="dot")
    assert not (tmp_path / "missing").exists()
