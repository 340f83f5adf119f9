"""fit: learning, history, batches, and both progress paths (rich and plain)."""

import io
import sys

import pytest

from nn import MLP, accuracy, data, fit, losses, optim


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def blobs_setup(seed=0):
    X, y = data.make_blobs(20, centers=[[-2.0, 0.0], [2.0, 0.0]], cluster_std=0.3, seed=seed)
    model = MLP(2, [4, 1], seed=seed)
    return model, X, data.signed(y), optim.SGD(model.parameters(), lr=0.1)


def test_fit_learns_and_returns_history():
    model, X, y, sgd = blobs_setup()
    history = fit(model, X, y, losses.hinge, sgd, epochs=25, progress=False)
    assert [r["epoch"] for r in history] == list(range(1, 26))
    assert history[-1]["loss"] < history[0]["loss"]
    assert history[-1]["accuracy"] == 1.0
    assert accuracy([model(x)[0] for x in X], y) == 1.0


def test_fit_with_minibatches_and_on_epoch_schedule():
    model, X, y, sgd = blobs_setup(1)
    seen = []

    def schedule(epoch, record):
        seen.append((epoch, record["loss"]))
        sgd.lr = 0.1 / epoch

    history = fit(model, X, y, losses.hinge, sgd, epochs=5, batch_size=6, seed=0,
                  progress=False, on_epoch=schedule)
    assert [e for e, _ in seen] == [1, 2, 3, 4, 5]
    assert sgd.lr == pytest.approx(0.02)
    assert len(history) == 5


def test_multi_output_models_get_lists_and_argmax_accuracy():
    X, y = data.make_blobs(12, centers=[[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]], cluster_std=0.2,
                           seed=2)
    model = MLP(2, [8, 3], seed=2)
    received = []

    def loss_fn(outputs, targets):
        received.append(outputs[0])
        return losses.softmax_cross_entropy(outputs, targets)

    history = fit(model, X, y, loss_fn, optim.Adam(model.parameters(), lr=0.05), epochs=30,
                  progress=False)
    assert isinstance(received[0], list) and len(received[0]) == 3
    assert history[-1]["accuracy"] == 1.0


def test_plain_progress_when_output_is_not_a_terminal():
    model, X, y, sgd = blobs_setup()
    out = io.StringIO()
    fit(model, X, y, losses.hinge, sgd, epochs=20, stream=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("epoch  1/20  loss ")
    assert "accuracy" in lines[0]
    assert lines[-1].startswith("epoch 20/20")
    assert len(lines) == 11  # epoch 1, then every second epoch
    assert "\x1b[" not in out.getvalue()


def test_rich_progress_bar_on_a_terminal():
    import rich  # noqa: F401  (the progress extra, always in the test environment)
    model, X, y, sgd = blobs_setup()
    out = FakeTerminal()
    fit(model, X, y, losses.hinge, sgd, epochs=5, stream=out)
    text = out.getvalue()
    assert "\x1b[" in text  # a terminal-styled bar, not the plain lines
    assert "epoch 5/5" in text and "loss" in text and "accuracy" in text
    assert "epoch 1/5  loss" not in text


def test_plain_progress_on_a_terminal_when_rich_is_missing(monkeypatch):
    for name in [m for m in sys.modules if m == "rich" or m.startswith("rich.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "rich", None)  # makes `import rich...` fail
    model, X, y, sgd = blobs_setup()
    out = FakeTerminal()
    fit(model, X, y, losses.hinge, sgd, epochs=3, stream=out)
    assert out.getvalue().splitlines()[0].startswith("epoch 1/3  loss ")
    with pytest.raises(ImportError, match="needs the rich package"):
        fit(model, X, y, losses.hinge, sgd, epochs=1, stream=out, progress="rich")


def test_progress_false_prints_nothing(capsys):
    model, X, y, sgd = blobs_setup()
    fit(model, X, y, losses.hinge, sgd, epochs=2, progress=False, metric=None)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"epochs": 0}, ValueError, "epochs must be at least 1"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"progress": "fancy"}, ValueError, "progress must be"),
        ({"X": []}, ValueError, "0 inputs but 20 targets"),
        ({"loss_fn": lambda o, t: 1.0}, TypeError, "loss_fn must return a Value"),
        ({"loss_fn": lambda o, t: o[0] * float("nan")}, ValueError, "loss became nan"),
    ],
)
def test_bad_fit_arguments(kwargs, error, match):
    model, X, y, sgd = blobs_setup()
    args = {"X": X, "loss_fn": losses.hinge, "progress": False}
    args.update(kwargs)
    X_arg = args.pop("X")
    loss_fn = args.pop("loss_fn")
    with pytest.raises(error, match=match):
        fit(model, X_arg, y, loss_fn, sgd, **args)


def test_accuracy_conventions():
    assert accuracy([0.5, -0.5], [1, 0]) == 1.0
    assert accuracy([0.5, -0.5], [1, -1]) == 1.0
    assert accuracy([0.5, 0.5], [1, -1]) == 0.5
    assert accuracy([[0.1, 0.9, 0.0]], [[0, 1, 0]]) == 1.0
    with pytest.raises(ValueError, match="1 predictions for 2 targets"):
        accuracy([1.0], [1, 0])
