"""Saving and loading a model's parameters as JSON, written atomically."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from nn.module import Module
from nn.state import StateDictError

FORMAT = "gradledger.nn.state"
VERSION = 1


def _reject_constant(name: str) -> float:
    raise StateDictError(f"the file holds {name}, which is not a finite number")


def save(model: Module, path: str | os.PathLike) -> Path:
    """Write the model's state dict to `path` as JSON; return the path.

    The file is written to a temporary file in the same folder and then renamed over
    `path`, so a crash never leaves a half-written file behind.

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
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp_name, _new_file_mode())  # mkstemp makes 0600; give the usual mode
        os.replace(temp_name, target)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return target


def _new_file_mode() -> int:
    """The mode open() would give a new file under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def read_state(path: str | os.PathLike) -> dict[str, Any]:
    """Read and check a file written by `save`; return its state dict.

    Example:
        >>> import tempfile, os
        >>> from nn import Neuron
        >>> path = save(Neuron(1, seed=0), os.path.join(tempfile.mkdtemp(), "n.json"))
        >>> sorted(read_state(path))
        ['b', 'w']
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise StateDictError(f"{path}: not a UTF-8 text file ({err})") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise StateDictError(f"{path}: not valid JSON ({err})") from None
    except StateDictError as err:
        raise StateDictError(f"{path}: {err}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateDictError(f"{path}: not a saved nn model (no \"format\": {FORMAT!r})")
    if document.get("version") != VERSION:
        raise StateDictError(
            f"{path}: saved with format version {document.get('version')!r}, "
            f"this version reads {VERSION}"
        )
    if "state" not in document:
        raise StateDictError(f"{path}: the file has no \"state\" entry")
    return document["state"]


def load(model: Module, path: str | os.PathLike, strict: bool = True) -> Module:
    """Load parameters saved by `save` into `model` and return it.

    Raises `StateDictError` (a ValueError) if the file is not valid, has missing or extra
    keys (when strict), wrong shapes, or values that are not finite numbers; the model is
    then exactly as it was.

    Example:
        >>> import tempfile, os
        >>> from nn import Neuron
        >>> path = save(Neuron(2, seed=0), os.path.join(tempfile.mkdtemp(), "n.json"))
        >>> load(Neuron(2, seed=5), path).state_dict() == Neuron(2, seed=0).state_dict()
        True
    """
    if not isinstance(model, Module):
        raise TypeError(f"load() takes an nn.Module to load into, got {type(model).__name__}")
    state = read_state(path)
    try:
        model.load_state_dict(state, strict=strict)
    except StateDictError as err:
        raise StateDictError(f"{path}: {err}") from None
    return model
