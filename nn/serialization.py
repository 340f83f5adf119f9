"""Saving and loading a model's parameters as JSON (written by autograd.files' safe writer)."""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

from autograd.files import file_kind, write_file
from nn.module import Module
from nn.state import StateDictError

FORMAT = "gradledger.nn.state"
VERSION = 1
# Limits on what load() reads (see read_state).
BYTES_PER_PARAMETER = 256  # a saved number takes about 25 bytes, indent included
MIN_FILE_LIMIT = 1 << 20
MAX_DEPTH = 32
MAX_NUMBER_CHARACTERS = 400


def _reject_constant(name: str) -> float:
    raise StateDictError(f"the file holds {name}, which is not a finite number")


def save(model: Module, path: str | os.PathLike) -> Path:
    """Write the model's state dict to `path` as JSON; return the path.

    The file is written by `write_file`: to a temporary file in the same folder, then
    renamed over `path`, so a crash never leaves a half-written file behind; an existing
    file keeps its mode; a device, FIFO or directory at `path` is refused
    (`UnsafeTargetError`) and a symbolic link is written through.

    Example:
        >>> import tempfile, os
        >>> from nn import MLP
        >>> model = MLP(2, [3, 1], seed=0)
        >>> path = save(model, os.path.join(tempfile.mkdtemp(), "model.json"))
        >>> copy = load(MLP(2, [3, 1], seed=1), path)
        >>> copy.state_dict() == model.state_dict()
        True
    """
    if not isinstance(model, Module):
        raise TypeError(f"save() takes an nn.Module, got {type(model).__name__}")
    state = model.state_dict()
    for name, param in model.named_parameters():
        if not math.isfinite(param.data):
            raise StateDictError(f"cannot save: parameter {name!r} is {param.data!r}")
    text = json.dumps(
        {"format": FORMAT, "version": VERSION, "model": repr(model), "state": state},
        indent=1, allow_nan=False,
    )
    return write_file(path, text.encode("utf-8"))


def _read_limited(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; StateDictError otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not hasattr(os, "O_NONBLOCK"):  # no non-blocking open: check the type first
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise StateDictError(f"{path}: it is {file_kind(mode)}, not a regular file")
    try:
        handle = os.open(path, flags)  # a FIFO opens at once and is refused below
    except IsADirectoryError:
        raise StateDictError(f"{path}: it is a directory, not a regular file") from None
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise StateDictError(f"{path}: it is {file_kind(status.st_mode)}, not a regular file")
        if status.st_size > limit:
            raise StateDictError(_too_large(path, status.st_size, limit))
        data = b""
        while len(data) <= limit:  # a file that grew since fstat is still cut off
            chunk = os.read(handle, limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(handle)
    if len(data) > limit:
        raise StateDictError(_too_large(path, len(data), limit))
    return data


def _too_large(path: str | os.PathLike, size: int, limit: int) -> str:
    return (
        f"{path}: the file has {size:,} bytes, more than the limit of {limit:,} for this "
        "model; pass max_bytes= to load() to read a larger file"
    )


_SPECIAL = re.compile(r'[\[\]{}"\\]')


def _check_depth(text: str, path: str | os.PathLike) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH before the parser recurses into it.

    One pass over the brackets, quotes and backslashes only (brackets inside strings do
    not count), so it takes linear time on any text.
    """
    depth = 0
    in_string = False
    skip = -1  # the index of a character escaped by a backslash
    for match in _SPECIAL.finditer(text):
        at, char = match.start(), match.group()
        if at == skip:
            continue
        if in_string:
            if char == "\\":
                skip = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise StateDictError(
                    f"{path}: the JSON is nested more than {MAX_DEPTH} levels deep; "
                    "a saved model needs a few"
                )
        elif char in "]}":
            depth -= 1


def _parse_number(text: str, convert: Any) -> Any:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise StateDictError(
            f"the file holds a number {len(text):,} characters long "
            f"(starting {text[:12]}...); the limit is {MAX_NUMBER_CHARACTERS}"
        )
    return convert(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise StateDictError(f"the file names {key!r} twice in one object")
        document[key] = value
    return document


def read_state(path: str | os.PathLike, max_bytes: int = MIN_FILE_LIMIT) -> dict[str, Any]:
    """Read and check a file written by `save`; return its state dict.

    Before parsing, the file must be a regular file (a FIFO, device or directory is
    refused without reading it) of at most `max_bytes` bytes; the JSON may nest at most
    MAX_DEPTH levels and a number may have at most MAX_NUMBER_CHARACTERS characters.
    Anything else wrong with the file raises StateDictError naming it; a missing file
    raises FileNotFoundError.

    Example:
        >>> import tempfile, os
        >>> from nn import Neuron
        >>> path = save(Neuron(1, seed=0), os.path.join(tempfile.mkdtemp(), "n.json"))
        >>> sorted(read_state(path))
        ['b', 'w']
    """
    data = _read_limited(path, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise StateDictError(f"{path}: not a UTF-8 text file ({err})") from None
    _check_depth(text, path)
    try:
        document = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=lambda s: _parse_number(s, int),
            parse_float=lambda s: _parse_number(s, float),
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as err:
        raise StateDictError(f"{path}: not valid JSON ({err})") from None
    except StateDictError as err:
        raise StateDictError(f"{path}: {err}") from None
    except RecursionError:  # not expected after _check_depth; never let it escape
        raise StateDictError(f"{path}: the JSON is nested too deeply") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateDictError(f"{path}: not a saved nn model (no \"format\": {FORMAT!r})")
    version = document.get("version")
    if type(version) is not int or version != VERSION:  # true == 1 and 1.0 == 1 in Python
        raise StateDictError(
            f"{path}: saved with format version {version!r}, this version reads {VERSION}"
        )
    if "state" not in document:
        raise StateDictError(f"{path}: the file has no \"state\" entry")
    return document["state"]


def load(
    model: Module, path: str | os.PathLike, strict: bool = True, max_bytes: int | None = None
) -> Module:
    """Load parameters saved by `save` into `model` and return it.

    Raises `StateDictError` (a ValueError) if the file is not a regular file, is larger
    than `max_bytes` (default: 256 bytes per parameter of the model, at least 1 MiB), is
    not valid JSON (or nests too deep, or holds a number hundreds of digits long), has
    missing or extra keys (when strict), wrong shapes, or values that are not finite
    numbers; the model is then exactly as it was. A missing file raises FileNotFoundError.

    Example:
        >>> import tempfile, os
        >>> from nn import Neuron
        >>> path = save(Neuron(2, seed=0), os.path.join(tempfile.mkdtemp(), "n.json"))
        >>> load(Neuron(2, seed=5), path).state_dict() == Neuron(2, seed=0).state_dict()
        True
    """
    if not isinstance(model, Module):
        raise TypeError(f"load() takes an nn.Module to load into, got {type(model).__name__}")
    if max_bytes is None:
        count = sum(1 for _ in model.parameters())
        max_bytes = max(MIN_FILE_LIMIT, BYTES_PER_PARAMETER * count)
    state = read_state(path, max_bytes)
    try:
        model.load_state_dict(state, strict=strict)
    except StateDictError as err:
        raise StateDictError(f"{path}: {err}") from None
    return model
