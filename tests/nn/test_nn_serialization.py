"""State dicts and JSON save/load: round trips and every bad-input path, model unchanged."""

import copy
import json
import math
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import nn
from autograd.files import UnsafeTargetError
from nn import MLP, Layer, Module, Neuron, StateDictError

ROOT = Path(__file__).resolve().parents[2]


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


# Issue 15, defects 1, 2 and 5: save never replaces a device, FIFO or link; keeps the
# mode of the file it replaces; load refuses every hostile file quickly, model unchanged.


def fifo(tmp_path, name="pipe.json"):
    path = tmp_path / name
    os.mkfifo(path)
    return path


def device(tmp_path):
    """A character device to write at: a fresh one in tmp_path when root, else /dev/null
    (which a non-root process cannot replace, so a regression cannot break the system)."""
    if os.geteuid() == 0:
        path = tmp_path / "null"
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        return path
    return Path("/dev/null")


def test_save_refuses_a_fifo_without_opening_it(tmp_path):
    path = fifo(tmp_path)
    with pytest.raises(UnsafeTargetError, match="a named pipe \\(FIFO\\)"):
        nn.save(Neuron(1, seed=0), path)
    assert stat.S_ISFIFO(os.lstat(path).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.json"]


def test_save_refuses_a_device_and_leaves_it_a_device(tmp_path):
    path = device(tmp_path)
    with pytest.raises(UnsafeTargetError, match="a character device"):
        nn.save(Neuron(1, seed=0), path)
    assert stat.S_ISCHR(os.lstat(path).st_mode)


def test_save_refuses_a_directory(tmp_path):
    with pytest.raises(UnsafeTargetError, match="it is a directory"):
        nn.save(Neuron(1, seed=0), tmp_path)


def test_save_writes_through_a_symlink_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to("real.json")
    assert nn.save(Neuron(1, seed=0), link) == link
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert json.loads(real.read_text())["format"] == "gradledger.nn.state"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_save_refuses_a_link_to_nothing_or_to_a_fifo(tmp_path):
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to("nowhere.json")
    with pytest.raises(UnsafeTargetError, match="which does not exist"):
        nn.save(Neuron(1, seed=0), dangling)
    to_fifo = tmp_path / "to_fifo.json"
    to_fifo.symlink_to(fifo(tmp_path))
    with pytest.raises(UnsafeTargetError, match="named pipe.*the link leads"):
        nn.save(Neuron(1, seed=0), to_fifo)
    assert not (tmp_path / "nowhere.json").exists() and to_fifo.is_symlink()


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o755])
def test_save_over_an_existing_file_keeps_its_mode(tmp_path, mode):
    path = tmp_path / "model.json"
    path.write_text("old")
    path.chmod(mode)
    old_umask = os.umask(0o022)
    try:
        nn.save(Neuron(1, seed=0), path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert json.loads(path.read_text())["version"] == 1


def test_save_through_a_link_keeps_the_mode_of_the_file_it_points_to(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o600)
    (tmp_path / "link.json").symlink_to(real)
    nn.save(Neuron(1, seed=0), tmp_path / "link.json")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def document_text(**changes):
    state = MLP(2, [2, 1], seed=9).state_dict()
    document = {"format": "gradledger.nn.state", "version": 1, "state": state}
    document.update(changes)
    return json.dumps(document)


HOSTILE_FILES = {
    "5,000-digit integer": (
        document_text().replace('"b2": [0.0]', '"b2": [' + "7" * 5000 + "]"),
        "a number 5,000 characters long",
    ),
    "5,000-digit float": (
        document_text().replace('"b2": [0.0]', '"b2": [0.' + "7" * 5000 + "]"),
        "a number 5,002 characters long",
    ),
    "100,000-deep nesting": ("[" * 100_000 + "]" * 100_000, "nested more than 32 levels"),
    "deep nesting inside the state": (
        document_text().replace('"b2": [0.0]', '"b2": ' + "[" * 50 + "]" * 50),
        "nested more than 32 levels",
    ),
    "version true": (document_text(version=True), "format version True"),
    "version 1.0": (document_text(version=1.0), "format version 1.0"),
    "version '1'": (document_text(version="1"), "format version '1'"),
    "a key twice": (
        document_text().replace('"state": {', '"state": {"b2": [1.0], '),
        "names 'b2' twice",
    ),
    "a UTF-8 BOM": ("\ufeff" + document_text(), "not valid JSON"),
    "a lone surrogate escape": (
        document_text().replace('"format"', '"\\ud800": 1, "format"'), None,
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_hostile_files_raise_state_dict_error_and_leave_the_model(tmp_path, case):
    text, match = HOSTILE_FILES[case]
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    model = MLP(2, [2, 1], seed=0)
    before = snapshot(model)
    if match is None:  # a harmless oddity: the file still loads
        nn.load(model, path)
        assert snapshot(model) == snapshot(MLP(2, [2, 1], seed=9))
        return
    with pytest.raises(StateDictError, match=match) as info:
        nn.load(model, path)
    assert str(path) in str(info.value)
    assert snapshot(model) == before


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    path = fifo(tmp_path)
    model = Neuron(1, seed=0)
    before = snapshot(model)
    # Before the fix this open() blocked for ever; pytest's own run would hang here.
    with pytest.raises(StateDictError, match="a named pipe \\(FIFO\\), not a regular file"):
        nn.load(model, path)
    assert snapshot(model) == before


def test_a_fifo_does_not_hang_even_in_a_child_process(tmp_path):
    path = fifo(tmp_path)
    code = (f"import nn\ntry:\n    nn.load(nn.Neuron(1), {str(path)!r})\n"
            "except nn.StateDictError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)  # a hard stop for a hang, not a time limit
    assert "not a regular file" in done.stdout, done.stderr


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "directory"])
def test_devices_and_directories_are_refused_without_reading(tmp_path, special):
    path = tmp_path if special == "directory" else Path(special)
    if not path.exists():
        pytest.skip(f"{special} does not exist on this system")
    with pytest.raises(StateDictError, match="not a regular file"):
        nn.load(Neuron(1, seed=0), path)
    link = tmp_path / "link.json"
    link.symlink_to(path)
    with pytest.raises(StateDictError, match="not a regular file"):
        nn.load(Neuron(1, seed=0), link)


def test_a_file_larger_than_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as file:
        file.truncate(3 << 20)  # 3 MiB of NULs, sparse: nothing to read for the check
    with pytest.raises(StateDictError, match="3,145,728 bytes, more than the limit of 1,048,576"):
        nn.load(Neuron(1, seed=0), path)
    with pytest.raises(StateDictError, match="not valid JSON"):
        nn.load(Neuron(1, seed=0), path, max_bytes=4 << 20)  # a larger limit reads it


def test_the_size_limit_grows_with_the_model():
    big = MLP(64, [64, 64], seed=0)  # 8,320 parameters: 2 MiB of room at 256 bytes each
    count = sum(1 for _ in big.parameters())
    assert nn.serialization.BYTES_PER_PARAMETER * count > 2 << 20
    assert len(json.dumps(big.state_dict(), indent=1)) < 30 * count


def test_many_extra_keys_give_a_short_message(tmp_path):
    state = {f"k{i}": 0.0 for i in range(50_000)}
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"format": "gradledger.nn.state", "version": 1, "state": state}))
    with pytest.raises(StateDictError, match="and 49,990 more") as info:
        nn.load(Neuron(1, seed=0), path)
    assert len(str(info.value)) < 500
