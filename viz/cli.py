"""The command line: `gradledger "tanh(w*x + b)" --at w=-3 x=2 b=6.88` (or `python -m viz`).

Prints the value, every input's gradient and the chain-rule ledger; --svg, --png,
--dot and --html also write the graph and the step-by-step page. Bad input gets a
one-line error and exit status 2; a missing optional tool gets one and exit status 1,
and so does anything unexpected (one line naming it, never a traceback).

The output files are all or nothing: their paths are checked before anything is
computed (a device, FIFO, directory or broken link is refused, and so is one file named
by two flags), every file is made in memory and written to a temporary file, and only
then are they renamed into place together (autograd.files.write_files); if anything
fails, no file is left new or changed. Everything printed passes through
viz.naming.plain_text, so no control character or escape code reaches the terminal.
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
from autograd.files import UnsafeTargetError, check_target, check_targets, write_files
from autograd.value import Value
from viz.claims import check_claims, parse_claims
from viz.drawing import MissingGraphvizError, draw_graph
from viz.formatting import format_steps
from viz.naming import plain_text
from viz.rendering import RendererNotFoundError, RenderError
from viz.stepper import stepper_page

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
    argv: Sequence[str] = ()

    def error(self, message: str) -> None:  # one line instead of usage + message
        if "required: expression" in message and any(
            arg.startswith("-") and arg not in self._option_string_actions for arg in self.argv
        ):
            message += (" (an expression starting with '-' reads as an option: "
                        "write it as (-x) or ' -x')")
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {plain_text(message)} (see --help)\n")


def _say(text: str, file=None) -> None:
    """Print text line by line through plain_text; characters the stream cannot encode
    are written as escapes instead of failing."""
    file = sys.stdout if file is None else file
    text = "\n".join(plain_text(line) for line in str(text).split("\n"))
    encoding = getattr(file, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = text.encode("ascii", "backslashreplace").decode("ascii")
    print(text, file=file)


def _error(message: str) -> None:
    _say(f"{PROG}: error: {message}", sys.stderr)


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
    parser.add_argument(
        "--claim", action="append", default=[], metavar="NAME=EXPRESSION",
        help="check a hand-derived d expression / d NAME at a few hundred points (drawn "
        "around the --at values, which are then optional); exit 1 if one is wrong",
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


def parse_bindings(
    pairs: Sequence[str], names: Sequence[str], require_all: bool = True
) -> dict[str, float]:
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
    if missing and require_all:
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
    parser.argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    if args.max_nodes < 1:
        parser.error("--max-nodes must be at least 1")
    try:
        return _run(args)
    except (ArithmeticError, ValueError) as err:  # bad input that no check above named
        _error(f"{type(err).__name__}: {err}")
        return EXIT_BAD_INPUT
    except Exception as err:  # a bug: still one line, not a traceback
        _say(f"{PROG}: internal error: {type(err).__name__}: {err} (please report it)",
             sys.stderr)
        return EXIT_INTERNAL


def output_paths(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(flag, path) of each file to write, after checking that the paths can be written.

    Raises UsageError for a device, FIFO, directory or broken link, for a path that
    cannot be looked at, or for one file named by two flags.
    """
    wanted = [(flag, getattr(args, flag)) for flag in OUTPUTS if getattr(args, flag)]
    for flag, path in wanted:
        try:
            check_target(path)
        except UnsafeTargetError as err:
            raise UsageError(f"--{flag} {path}: {err}") from None
        except OSError as err:  # e.g. a folder in the path is a file
            raise UsageError(f"--{flag} {path}: cannot write there: {err.strerror}") from None
    for i, (flag, path) in enumerate(wanted):
        for other_flag, other_path in wanted[i + 1:]:
            try:
                check_targets([path, other_path])
            except UnsafeTargetError:
                raise UsageError(
                    f"--{flag} {path} and --{other_flag} {other_path} name the same file; "
                    "give each output its own path"
                ) from None
    return wanted


def _run(args: argparse.Namespace) -> int:
    if args.claim:
        return _run_claims(args)
    try:
        check_output_names(args)
        wanted = output_paths(args)
        _check_encodable(args.expression)
        expression = parse(args.expression)
        values = parse_bindings(args.at, expression.names)
        inputs = {name: Value(values[name], name) for name in expression.names}
        root = expression.evaluate(inputs)
        root.backward()
    except (ExpressionError, UsageError, DomainError) as err:
        _error(str(err))
        return EXIT_BAD_INPUT

    at = ", ".join(f"{name}={_number(values[name])}" for name in expression.names)
    _say(f"{expression.text} = {_number(root.data)}" + (f"   at {at}" if at else ""))
    if expression.names:
        _say("gradients:")
        width = max(len(name) for name in expression.names)
        for name in expression.names:
            _say(f"  d/d{name.ljust(width)} = {_number(inputs[name].grad)}")

    if args.ledger != "none":
        _say("\nchain-rule ledger (upstream = d(root)/d(node), local = d(node)/d(parent)):")
        _say(format_steps(root, style=args.ledger))
    return _write_files(root, args, wanted)


def _run_claims(args: argparse.Namespace) -> int:
    """--claim: a verdict per claim; exit 0 when all hold, 1 when one is wrong, 2 on bad input."""
    if any(getattr(args, flag) for flag in OUTPUTS):
        _error("--claim checks derivatives and writes no files: leave out --svg, --png, "
               "--dot and --html")
        return EXIT_BAD_INPUT
    try:
        _check_encodable(args.expression)
        expression = parse(args.expression)
        claims = parse_claims(args.claim, expression)
        at = parse_bindings(args.at, expression.names, require_all=False)
    except (ExpressionError, UsageError) as err:
        _error(str(err))
        return EXIT_BAD_INPUT
    try:
        style = None if args.ledger == "none" else args.ledger
        text, all_hold = check_claims(expression, claims, at, ledger=style)
    except ModuleNotFoundError as err:
        _error(f"--claim needs hypothesis ({err}): pip install 'gradledger[check]'")
        return EXIT_ENVIRONMENT
    except (ExpressionError, DomainError) as err:
        _error(str(err))
        return EXIT_BAD_INPUT
    _say(text)
    return 0 if all_hold else 1


def _check_encodable(expression: str) -> None:
    for column, char in enumerate(expression, start=1):
        if "\ud800" <= char <= "\udfff":
            raise UsageError(
                f"the expression holds bytes that are not valid UTF-8 (at column {column})"
            )


def _write_files(root: Value, args: argparse.Namespace, wanted: list[tuple[str, str]]) -> int:
    """Make every output in memory, then write them all or none (write_files)."""
    if not wanted:
        return 0
    options = {"formulas": args.formulas, "max_nodes": args.max_nodes}
    drawing = None
    items = []
    try:
        for flag, path in wanted:
            if flag == "html":
                items.append((path, stepper_page(root, **options).encode("utf-8")))
            else:
                drawing = drawing or draw_graph(root, **options)
                items.append((path, drawing.pipe(flag)))
    except MissingGraphvizError as err:
        _error(f"--{flag} needs graphviz: {err} (no file written)")
        return EXIT_ENVIRONMENT
    except (RendererNotFoundError, RenderError, OSError) as err:
        _error(f"--{flag} {path}: {err} (no file written)")
        return EXIT_ENVIRONMENT
    except ValueError as err:  # e.g. a graph above draw_graph's max_nodes
        _error(f"--{flag} {path}: {err} (no file written)")
        return EXIT_BAD_INPUT
    try:
        written = write_files(items)
    except UnsafeTargetError as err:  # a path changed since output_paths checked it
        _error(f"{err} (no file written)")
        return EXIT_BAD_INPUT
    except OSError as err:
        _error(f"writing the files failed, so none was written or changed: {err}")
        return EXIT_ENVIRONMENT
    if drawing is not None and drawing.copies:
        _say(f"note: {drawing.copies} far use(s) of a value are drawn from a dashed copy "
             "beside the operation, to keep the layout quick")
    for path in written:
        _say(f"wrote {path}")
    return 0


def main() -> None:
    """Entry point: exit with run()'s status."""
    sys.exit(run())
