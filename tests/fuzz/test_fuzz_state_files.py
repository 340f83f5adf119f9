"""Fuzzing nn.load and nn.save (issue 15): every mutated file loads or raises StateDictError.

Mutations of a real saved file (bytes flipped, cut, doubled, and hostile tokens such as
5,000-digit numbers, deep brackets, NaN, `true`, a second key or a BOM put in) and
random JSON documents. Property: nn.load returns the model holding exactly the file's
numbers, or raises StateDictError and leaves the model as it was; nothing else escapes.

Example counts follow the hypothesis profile (tests/conftest.py): twice its count, so
80 by default (seconds in all) and 600 with HYPOTHESIS_PROFILE=dev.
"""

import json
import math
import os
import re
import stat
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import nn
from nn import MLP, StateDictError

EXAMPLES = settings.default.max_examples
FUZZ = settings(
    max_examples=EXAMPLES * 2,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def shape():
    return [2, [2, 1]]


def snapshot(model):
    return [(name, p.data) for name, p in model.named_parameters()]


with tempfile.TemporaryDirectory() as _folder:
    _model = MLP(*shape(), seed=9)
    for _p in _model.parameters():
        _p.data /= 3.0  # full precision digits
    SAVED = nn.save(_model, Path(_folder) / "model.json").read_bytes()

HOSTILE = [
    b"[" * 60, b"{" * 40, b"]" * 10, b"}" * 10, b"9" * 5000, b"0." + b"1" * 500, b"1e999",
    b"-1e999", b"NaN", b"Infinity", b"-Infinity", b"true", b"false", b"null", b'"', b"\\",
    b'"\\ud800"', b"\\u0000", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b",", b":", b"1" * 400,
    b'"version": true,', b'"version": 1.0,', b'"b2": [1.0],', b'"state": {},', b"1e-400",
    b"\xed\xa0\x80", b"[" * 33 + b"]" * 33, b" " * 1000, b"\n", b'"W1": [[1.0]],',
]


NUMBERS = [
    b"9" * 5000, b"-" + b"9" * 401, b"9" * 400, b"0." + b"1" * 500, b"1e999", b"-1e999", b"1e-400",
    b"NaN", b"Infinity", b"true", b"null", b'"1.0"', b"[" * 40 + b"]" * 40, b"[1.0]", b"{}",
    b"-0", b"5e-324", b"1.7976931348623157e308", b"123456789012345678901234567890", b"[]",
]


@st.composite
def mutated_files(draw):
    """Half of them still valid JSON with hostile numbers in place of saved ones; half
    with bytes flipped, cut, doubled or hostile tokens put in anywhere."""
    data = bytearray(SAVED)
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 2))):
            numbers = list(re.finditer(rb"-?\d[\d.e+-]*", bytes(data)))
            number = draw(st.sampled_from(numbers))
            data[number.start():number.end()] = draw(st.sampled_from(NUMBERS))
        return bytes(data)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete", "double", "truncate"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(HOSTILE) | st.binary(max_size=8))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "double":
            data[at:at] = data[at:at + draw(st.integers(1, 200))]
        elif kind in ("cut", "truncate"):
            del data[at:]
    return bytes(data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=12,
)


@st.composite
def edited_documents(draw):
    """A real saved document with one entry replaced by a random JSON value."""
    document = json.loads(SAVED)
    paths = [("format",), ("version",), ("state",), ("state", "W1"), ("state", "b1"),
             ("state", "W2", 0), ("state", "W1", 1, 0), ("state", "b2", 0), ("model",)]
    path = draw(st.sampled_from(paths))
    target = document
    for key in path[:-1]:
        target = target[key]
    if draw(st.booleans()):
        target[path[-1]] = draw(JSON_VALUES)
    elif isinstance(target, dict):
        del target[path[-1]]
    else:
        target.append(draw(JSON_VALUES))
    return json.dumps(document, allow_nan=True).encode("utf-8")


def numbers_of(state):
    """The numbers of a state dict in named_parameters() order for the model's shape."""
    model = MLP(*shape(), seed=0)
    model.load_state_dict(state)
    return [value for _, value in snapshot(model)]


def check_load(data: bytes):
    model = MLP(*shape(), seed=0)
    before = snapshot(model)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        path.write_bytes(data)
        try:
            loaded = nn.load(model, path)
        except StateDictError as err:
            assert str(path) in str(err)
            assert snapshot(model) == before
            event("refused: " + " ".join(str(err).split(": ", 1)[1].split()[:3]))
            return "refused"
    assert loaded is model
    values = [value for _, value in snapshot(model)]
    assert all(math.isfinite(v) for v in values)
    state = json.loads(data.decode("utf-8"))["state"]
    assert values == numbers_of(state)
    event("loaded")
    return "loaded"


@FUZZ
@given(mutated_files())
def test_a_mutated_file_loads_exactly_or_is_refused(data):
    check_load(data)


@FUZZ
@given(edited_documents())
def test_an_edited_document_loads_exactly_or_is_refused(data):
    check_load(data)


@FUZZ
@given(st.binary(max_size=300) | st.text(max_size=100).map(lambda t: t.encode("utf-8")))
def test_any_bytes_load_or_are_refused(data):
    assert check_load(data) == "refused"


@FUZZ
@given(
    values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=9, max_size=9),
    mode=st.sampled_from([0o600, 0o640, 0o644, 0o400, 0o666]),
    through_link=st.booleans(),
)
def test_save_round_trips_exactly_and_keeps_the_old_mode(values, mode, through_link):
    model = MLP(*shape(), seed=0)
    for param, value in zip(model.parameters(), values, strict=True):
        param.data = value
    with tempfile.TemporaryDirectory() as folder:
        real = Path(folder) / "model.json"
        real.write_text("old")
        real.chmod(mode)
        target = real
        if through_link:
            target = Path(folder) / "link.json"
            target.symlink_to("model.json")
        nn.save(model, target)
        assert stat.S_IMODE(real.stat().st_mode) == mode
        assert target.is_symlink() == through_link
        assert sorted(os.listdir(folder)) == sorted({"model.json", target.name})
        copy = nn.load(MLP(*shape(), seed=1), target)
    assert snapshot(copy) == snapshot(model)
