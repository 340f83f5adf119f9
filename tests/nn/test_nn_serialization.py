"""State dicts and JSON save/load: round trips and every bad-input path, model unchanged."""

import copy
import json
import math
import os

import pytest

import nn
from nn import MLP, Layer, Module, Neuron, StateDictError


def snapshot(model):
    return [(name, p.data) for name, p in model.named_parameters()]


def test_state_dict_groups_parameters_into_arrays():
    layer = Layer(2, 3, seed=0)
    state = layer.state_dict()
    assert list(state) == ["W", "b"]
    assert len(state["W"]) == 3 and all(len(row) == 2 for row in state["W"])
    assert state["W"][2][1] == dict(layer.named_parameters())["W[2,1]"].data
    assert state["b"] == [0.0, 0.0, 0.0]
    assert Neuron(1, seed=0).state_dict()["b"] == 0.0


def test_load_state_dict_round_trip():
    a, b = MLP(3, [4, 2], seed=1), MLP(3, [4, 2], seed=2)
    b.load_state_dict(a.state_dict())
    assert snapshot(a) == snapshot(b)


def test_save_and_load_round_trip_exactly(tmp_path):
    model = MLP(2, [5, 3, 1], seed=3)
    for p in model.parameters():
        p.data = p.data / 3.0  # full double precision
    path = nn.save(model, tmp_path / "model.json")
    other = nn.load(MLP(2, [5, 3, 1], seed=4), path)
    assert snapshot(other) == snapshot(model)
    document = json.loads(path.read_text())
    assert document["format"] == "gradledger.nn.state" and document["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temp files left


def test_strict_false_allows_missing_and_extra_keys():
    model = MLP(2, [2, 1], seed=0)
    before = snapshot(model)
    model.load_state_dict({"b1": [1.0, 2.0], "unused": 5}, strict=False)
    after = dict(snapshot(model))
    assert after["b1[0]"] == 1.0 and after["b1[1]"] == 2.0
    assert after["W1[0,0]"] == dict(before)["W1[0,0]"]


def good_state():
    return MLP(2, [2, 1], seed=9).state_dict()


def with_change(change):
    state = copy.deepcopy(good_state())
    change(state)
    return state


def setting(key, index, value):
    """A change that puts value at state[key][index...]."""

    def change(state):
        target = state[key]
        for i in index[:-1]:
            target = target[i]
        target[index[-1]] = value

    return change


SHAPE_W1 = "'W1' should be nested lists of shape \\(2, 2\\)"
BAD_STATES = {
    "missing key": (with_change(lambda s: s.pop("b2")), "missing keys \\['b2'\\]"),
    "extra key": (with_change(lambda s: s.update(W3=[[1.0]])), "unexpected keys \\['W3'\\]"),
    "too few rows": (with_change(lambda s: s["W1"].pop()), SHAPE_W1),
    "ragged rows": (with_change(lambda s: s["W1"][0].append(1.0)), SHAPE_W1),
    "scalar for a vector": (with_change(lambda s: s.update(b1=1.0)), "'b1' should be"),
    "vector for a matrix": (with_change(lambda s: s.update(W2=[1.0, 2.0])), "'W2' should be"),
    "string value": (with_change(setting("W1", (1, 0), "1.0")),
                     "W1\\[1,0\\] must be a real number, got str"),
    "bool value": (with_change(setting("b1", (0,), True)),
                   "b1\\[0\\] must be a real number, got bool"),
    "None value": (with_change(setting("b2", (0,), None)), "must be a real number, got NoneType"),
    "nan": (with_change(setting("W2", (0, 1), math.nan)), "W2\\[0,1\\] must be finite, got nan"),
    "inf": (with_change(setting("b1", (1,), -math.inf)), "must be finite, got -inf"),
    "huge int": (with_change(setting("b1", (1,), 10**400)), "too large for a float"),
    "not a dict": ([1, 2], "must be a dict, got list"),
    "non-string key": (with_change(lambda s: s.update({1: 2.0})), "keys must be strings"),
}


@pytest.mark.parametrize("case", list(BAD_STATES))
def test_bad_state_dict_is_rejected_and_model_unchanged(case):
    state, match = BAD_STATES[case]
    model = MLP(2, [2, 1], seed=0)
    before = snapshot(model)
    with pytest.raises(StateDictError, match=match):
        model.load_state_dict(state)
    assert snapshot(model) == before


def test_state_dict_error_is_a_value_error():
    assert issubclass(StateDictError, ValueError)


def write(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    return path


def document(state):
    return json.dumps({"format": "gradledger.nn.state", "version": 1, "state": state})


@pytest.mark.parametrize(
    "text, match",
    [
        ("{not json", "not valid JSON"),
        (json.dumps([1, 2]), "not a saved nn model"),
        (json.dumps({"format": "other", "state": {}}), "not a saved nn model"),
        (json.dumps({"format": "gradledger.nn.state", "version": 2, "state": {}}),
         "format version 2"),
        (json.dumps({"format": "gradledger.nn.state", "version": 1}), "no \"state\" entry"),
        (document({"W1": [[1.0, 2.0], [3.0, 4.0]], "b1": [0.0, 0.0],
                   "W2": [[1.0, 2.0]], "b2": ["NAN"]}).replace('"NAN"', "NaN"),
         "NaN, which is not a finite number"),
        (document({"W1": [[1.0, 2.0], [3.0, 4.0]], "b1": [0.0, 0.0],
                   "W2": [[1.0, 2.0]], "b2": ["INF"]}).replace('"INF"', "Infinity"),
         "Infinity"),
        (document({"W1": [[1.0, 2.0]], "b1": [0.0, 0.0], "W2": [[1.0, 2.0]], "b2": [0.0]}),
         "'W1' should be nested lists of shape \\(2, 2\\)"),
        (document({"W1": [[1.0, 2.0], [3.0, 4.0]], "b1": [0.0, 0.0], "W2": [[1.0, 2.0]]}),
         "missing keys"),
        (document({"W1": [[1.0, 2.0], [3.0, 4.0]], "b1": [0.0, 0.0], "W2": [[1.0, "x"]],
                   "b2": [0.0]}), "W2\\[0,1\\] must be a real number"),
    ],
)
def test_bad_files_are_rejected_and_model_unchanged(tmp_path, text, match):
    path = write(tmp_path, text)
    model = MLP(2, [2, 1], seed=0)
    before = snapshot(model)
    with pytest.raises(StateDictError, match=match) as info:
        nn.load(model, path)
    assert str(path) in str(info.value)
    assert snapshot(model) == before


def test_binary_file_is_rejected(tmp_path):
    path = tmp_path / "blob.json"
    path.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(StateDictError, match="not a UTF-8 text file"):
        nn.load(Neuron(1, seed=0), path)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(Neuron(1, seed=0), tmp_path / "nothing.json")


def test_saving_a_non_finite_model_fails_and_keeps_the_old_file(tmp_path):
    path = nn.save(Neuron(2, seed=0), tmp_path / "n.json")
    old = path.read_text()
    broken = Neuron(2, seed=1)
    broken.w[1].data = math.nan
    with pytest.raises(StateDictError, match="parameter 'w\\[1\\]' is nan"):
        nn.save(broken, path)
    assert path.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["n.json"]


def test_failed_rename_leaves_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = nn.save(Neuron(2, seed=0), tmp_path / "n.json")
    old = path.read_text()

    def fail(src, dst):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="simulated"):
        nn.save(Neuron(2, seed=1), path)
    assert path.read_text() == old
    assert [p.name for p in tmp_path.iterdir()] == ["n.json"]


def test_save_and_load_check_their_model_argument(tmp_path):
    with pytest.raises(TypeError, match="save\\(\\) takes an nn.Module"):
        nn.save({"W": 1}, tmp_path / "x.json")
    with pytest.raises(TypeError, match="load\\(\\) takes an nn.Module"):
        nn.load("model", tmp_path / "x.json")


def test_custom_module_with_scalar_and_incomplete_arrays():
    from autograd import Value

    class Gappy(Module):
        def __init__(self):
            self.a = [Value(1.0, "a[0]"), Value(2.0, "a[2]")]

    with pytest.raises(StateDictError, match="do not fill a full array"):
        Gappy().state_dict()


def test_saved_file_gets_the_usual_permissions(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = nn.save(MLP(2, [2, 1], seed=0), tmp_path / "model.json")
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o644
