"""fit: a small training loop for any model, loss and optimizer, with a progress bar."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from autograd import Value
from autograd.ops import primal
from nn.init import check_positive_int, make_rng
from nn.inputs import is_array


def _label_of(target: Any) -> int:
    """A class index from a target: an int, a +-1 label, or a one-hot / probability vector."""
    if isinstance(target, Sequence):
        values = [primal(t) for t in target]
        return max(range(len(values)), key=values.__getitem__)
    return int(primal(target))


def accuracy(predictions: Sequence[Any], targets: Sequence[Any]) -> float:
    """Fraction of examples classified right.

    A single output per example is a score: class 1 (or +1) when it is > 0, else class
    0 (or -1, if the targets use -1). Several outputs per example: the largest one wins,
    compared with the target's class index (or its largest entry for one-hot targets).

    Example:
        >>> accuracy([0.3, -2.0, 1.5], [1, -1, -1])
        0.6666666666666666
        >>> accuracy([[0.1, 0.7], [0.9, 0.2]], [1, [1, 0]])
        1.0
    """
    if is_array(targets):
        targets = targets.tolist()
    if len(predictions) != len(targets) or not predictions:
        raise ValueError(f"accuracy: {len(predictions)} predictions for {len(targets)} targets")
    negative_label = -1 if any(_label_of(t) == -1 for t in targets) else 0
    right = 0
    for p, t in zip(predictions, targets, strict=True):
        if isinstance(p, Sequence):
            scores = [primal(s) for s in p]
            guess = max(range(len(scores)), key=scores.__getitem__)
        else:
            guess = 1 if primal(p) > 0 else negative_label
        right += guess == _label_of(t)
    return right / len(predictions)


def _squeeze(output: Any) -> Any:
    """A model's one-element output list becomes its single Value."""
    if isinstance(output, list) and len(output) == 1:
        return output[0]
    return output


class _PlainReporter:
    """Prints a line every few epochs; for logs, pipes and missing rich."""

    def __init__(self, epochs: int, stream: TextIO):
        self.epochs = epochs
        self.stream = stream
        self.every = max(1, epochs // 10)

    def update(self, epoch: int, loss: float, acc: float | None) -> None:
        if epoch % self.every and epoch != self.epochs and epoch != 1:
            return
        text = f"epoch {epoch:>{len(str(self.epochs))}}/{self.epochs}  loss {loss:.6f}"
        if acc is not None:
            text += f"  accuracy {acc:.1%}"
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        pass


class _RichReporter:
    """A rich progress bar with the latest loss and accuracy beside it."""

    def __init__(self, epochs: int, stream: TextIO, rich_progress: Any, rich_console: Any):
        self.console = rich_console.Console(file=stream, force_terminal=True)
        self.progress = rich_progress.Progress(
            rich_progress.TextColumn("epoch {task.completed}/{task.total}"),
            rich_progress.BarColumn(),
            rich_progress.TextColumn("{task.fields[metrics]}"),
            rich_progress.TimeElapsedColumn(),
            console=self.console,
        )
        self.task = self.progress.add_task("fit", total=epochs, metrics="")
        self.progress.start()

    def update(self, epoch: int, loss: float, acc: float | None) -> None:
        metrics = f"loss {loss:.6f}" + (f"  accuracy {acc:.1%}" if acc is not None else "")
        self.progress.update(self.task, completed=epoch, metrics=metrics)

    def close(self) -> None:
        self.progress.stop()


def _reporter(progress: Any, epochs: int, stream: TextIO):
    if progress is False or progress is None:
        return None
    if progress not in (True, "auto", "rich", "plain"):
        raise ValueError(
            f"progress must be 'auto', 'rich', 'plain', True or False, got {progress!r}"
        )
    if progress == "plain":
        return _PlainReporter(epochs, stream)
    is_terminal = bool(getattr(stream, "isatty", lambda: False)())
    if progress == "rich" or is_terminal:
        try:
            import rich.console as rich_console
            import rich.progress as rich_progress
        except ImportError:
            if progress == "rich":
                raise ImportError(
                    "progress='rich' needs the rich package: pip install 'gradledger[progress]'"
                ) from None
            return _PlainReporter(epochs, stream)
        return _RichReporter(epochs, stream, rich_progress, rich_console)
    return _PlainReporter(epochs, stream)


def fit(
    model: Callable[[Any], Any],
    X: Sequence[Any],
    y: Sequence[Any],
    loss_fn: Callable[[list, Sequence[Any]], Value],
    optimizer: Any,
    epochs: int = 100,
    *,
    batch_size: int | None = None,
    metric: Callable[[list, Sequence[Any]], float] | None = accuracy,
    progress: Any = "auto",
    stream: TextIO | None = None,
    seed: Any = None,
    on_epoch: Callable[[int, dict], None] | None = None,
) -> list[dict]:
    """Train `model` on (X, y) and return one record per epoch: {epoch, loss, accuracy}.

    X and y may be lists or numpy arrays (a 2-D X: one example per row). Each step:
    `optimizer.zero_grad()`, outputs = [model(x) for x in batch] (a one-output
    model gives one Value per example), `loss = loss_fn(outputs, targets)`,
    `loss.backward()`, `optimizer.step()`. `batch_size=None` uses the whole set (one step
    per epoch); otherwise the data are shuffled each epoch with `seed`. The loss and
    accuracy reported are the mean over the epoch's batches, before each step.

    Progress: "auto" shows a rich progress bar when rich is installed and `stream` is a
    terminal, and otherwise prints a plain line every tenth of the run; "plain", "rich"
    or False choose. `on_epoch(epoch, record)` runs after each epoch (e.g. to change
    `optimizer.lr`).

    Example:
        >>> from nn import MLP, losses, optim, data
        >>> X, y = data.make_blobs(20, centers=[[-2, 0], [2, 0]], cluster_std=0.3, seed=0)
        >>> model = MLP(2, [4, 1], seed=0)
        >>> history = fit(model, X, data.signed(y), losses.hinge,
        ...               optim.SGD(model.parameters(), lr=0.1), epochs=20, progress=False)
        >>> history[-1]["accuracy"]
        1.0
    """
    check_positive_int(epochs, "epochs")
    if is_array(y):
        y = y.tolist()  # Python numbers (or lists, for one-hot rows) for the loss and metric
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"fit: {len(X)} inputs but {len(y)} targets (need at least one)")
    if batch_size is not None:
        check_positive_int(batch_size, "batch_size")
    stream = sys.stdout if stream is None else stream
    rng = make_rng(seed)
    order = list(range(len(X)))
    history: list[dict] = []
    reporter = _reporter(progress, epochs, stream)
    try:
        for epoch in range(1, epochs + 1):
            if batch_size is not None:
                rng.shuffle(order)
                batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
            else:
                batches = [order]
            losses, scores = [], []
            for batch in batches:
                targets = [y[i] for i in batch]
                optimizer.zero_grad()
                outputs = [_squeeze(model(X[i])) for i in batch]
                loss = loss_fn(outputs, targets)
                if not isinstance(loss, Value):
                    raise TypeError(f"loss_fn must return a Value, got {type(loss).__name__}")
                if not math.isfinite(loss.data):
                    raise ValueError(f"loss became {loss.data!r} at epoch {epoch}; stopping")
                loss.backward()
                optimizer.step()
                losses.append(loss.data)
                if metric is not None:
                    scores.append(metric(outputs, targets))
            record = {
                "epoch": epoch,
                "loss": sum(losses) / len(losses),
                "accuracy": sum(scores) / len(scores) if scores else None,
            }
            history.append(record)
            if reporter is not None:
                reporter.update(epoch, record["loss"], record["accuracy"])
            if on_epoch is not None:
                on_epoch(epoch, record)
    finally:
        if reporter is not None:
            reporter.close()
    return history
