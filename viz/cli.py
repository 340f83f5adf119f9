"""The command line: `gradledger "tanh(w*x + b)" --at w=-3 x=2 b=6.88` (or `python -m viz`).

Prints the value, every input's gradient and the chain-rule ledger; --svg, --png,
--dot and --html also write the graph and the step-by-step page. Bad input gets a
one-line error and exit status 2; a missing optional tool gets one and exit status 1,
and so does anything unexpected (one line naming it, never a traceback).
"""

from __future__ import annotations

import argparse
import math
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from autograd.errors import DomainError
from autograd.expr import FUNCTIONS, ExpressionError, parse
from autograd.value import Value
from viz.drawing import MissingGraphvizError, render
from viz.formatting import format_steps
from viz.rendering import RendererNotFoundError, RenderError
from viz.stepper import stepper_html

PROG = "gradledger"
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 1
EXIT_INTERNAL = 1

# What each file flag writes, and the file name suffixes that fit it.
OUTPUTS = {
    "svg": ("SVG", (".svg",)),
    "png": ("PNG", (".png",)),
    "dot": ("DOT text", (".dot", ".gv")),
    "html": ("an HTML page", (".html", ".htm")),
}


class UsageError(Exception):
    """Bad command-line input; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `gradledger`."""
    parser = _Parser(
        prog=PROG,
        description="Evaluate an expression, backpropagate, and show every chain-rule step.",
        epilog=f'example: {PROG} "tanh(w*x + b)" --at w=-3 x=2 b=6.88 --svg g.svg',
    )
    parser.add_argument(
        "expression",
        help="numbers, names, + - * / ** %%, unary minus, 'a if x > 0 else b' (< <= > >=) "
        "and the functions " + ", ".join(FUNCTIONS),
    )
    parser.add_argument(
        "--at", nargs="+", action="extend", default=[], metavar="NAME=NUMBER",
        help="the value of each name in the expression",
    )
    parser.add_argument("--svg", metavar="PATH", help="write the graph as SVG")
    parser.add_argument("--png", metavar="PATH", help="write the graph as PNG")
    parser.add_argument("--dot", metavar="PATH", help="write the graph as DOT text")
    parser.add_argument("--html", metavar="PATH", help="write the step-by-step HTML page")
    parser.add_argument(
        "--ledger", choices=("text", "markdown", "latex", "none"), default="text",
        help="how to print the chain-rule ledger (default: text)",
    )
    parser.add_argument(
        "--formulas", action="store_true", help="label graph edges with formulas too"
    )
    parser.add_argument(
        "--max-nodes", type=int, default=2000, metavar="N",
        help="refuse to draw graphs with more values than this (default: 2000)",
    )
    return parser


def parse_bindings(pairs: Sequence[str], names: Sequence[str]) -> dict[str, float]:
    """Turn ["w=-3", "x=2"] into {"w": -3.0, "x": 2.0}, checking each against the names."""
    values: dict[str, float] = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        # Python's parser NFKC-normalises identifiers, so the expression's ℌ is H.
        name = unicodedata.normalize("NFKC", name.strip())
        if not sep or not name:
            raise UsageError(f"--at {pair!r}: write NAME=NUMBER, e.g. --at x=2")
        if name not in names:
            known = ", ".join(names) if names else "none"
            raise UsageError(
                f"--at {pair!r}: {name!r} does not appear in the expression (its names: {known})"
            )
        if name in values:
            raise UsageError(f"--at {pair!r}: {name!r} is given twice")
        try:
            value = float(number)
        except ValueError:
            raise UsageError(f"--at {pair!r}: {number!r} is not a number") from None
        if not math.isfinite(value):  # as the expression refuses the literal 1e999
            raise UsageError(f"--at {pair!r}: {number.strip()} is not a finite number")
        values[name] = value
    missing = [name for name in names if name not in values]
    if missing:
        raise UsageError(f"no value for {missing[0]!r}: give it with --at {missing[0]}=NUMBER")
    return values


def _number(x: float) -> str:
    return repr(x) if math.isfinite(x) else str(x)


def check_output_names(args: argparse.Namespace) -> None:
    """Refuse a file flag whose path ends in another output's suffix, e.g. --dot g.svg."""
    for flag, (what, suffixes) in OUTPUTS.items():
        path = getattr(args, flag)
        suffix = Path(path).suffix.lower() if path else ""
        if not suffix or suffix in suffixes:
            continue
        other = [f"--{o}" for o, (_, ends) in OUTPUTS.items() if suffix in ends]
        if other or suffix == ".pdf":
            hint = f" (or use {other[0]} {path})" if other else ""
            raise UsageError(
                f"--{flag} {path}: the name ends in {suffix}, but --{flag} writes {what}; "
                f"name it *{suffixes[0]}{hint}"
            )


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on argv (default sys.argv[1:]); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.max_nodes < 1:
        parser.error("--max-nodes must be at least 1")
    try:
        return _run(args)
    except (ArithmeticError, ValueError) as err:  # bad input that no check above named
        print(f"{PROG}: error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # a bug: still one line, not a traceback
        print(
            f"{PROG}: internal error: {type(err).__name__}: {err} (please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    try:
        check_output_names(args)
        expression = parse(args.expression)
        values = parse_bindings(args.at, expression.names)
        inputs = {name: Value(values[name], name) for name in expression.names}
        root = expression.evaluate(inputs)
        root.backward()
    except (ExpressionError, UsageError, DomainError) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT

    at = ", ".join(f"{name}={_number(values[name])}" for name in expression.names)
    print(f"{expression.text} = {_number(root.data)}" + (f"   at {at}" if at else ""))
    if expression.names:
        print("gradients:")
        width = max(len(name) for name in expression.names)
        for name in expression.names:
            print(f"  d/d{name.ljust(width)} = {_number(inputs[name].grad)}")

    if args.ledger != "none":
        print("\nchain-rule ledger (upstream = d(root)/d(node), local = d(node)/d(parent)):")
        print(format_steps(root, style=args.ledger))
    return _write_files(root, args)


def _write_files(root: Value, args: argparse.Namespace) -> int:
    wanted = [(flag, getattr(args, flag)) for flag in ("svg", "png", "dot", "html")]
    wanted = [(flag, path) for flag, path in wanted if path]
    if not wanted:
        return 0
    try:
        for flag, path in wanted:
            options = {"formulas": args.formulas, "max_nodes": args.max_nodes}
            if flag == "html":
                written = stepper_html(root, path, **options)
            else:
                written = render(root, path, fmt=flag, **options)
            print(f"wrote {written}")
    except MissingGraphvizError as err:
        print(f"{PROG}: error: --{flag} needs graphviz: {err}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except (RendererNotFoundError, RenderError, OSError) as err:
        print(f"{PROG}: error: --{flag} {path}: {err}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except ValueError as err:  # e.g. a graph above draw_graph's max_nodes
        print(f"{PROG}: error: --{flag} {path}: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def main() -> None:
    """Entry point: exit with run()'s status."""
    sys.exit(run())
