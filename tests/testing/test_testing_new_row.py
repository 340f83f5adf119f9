"""A new row is covered by the testing machinery with no other edit.

The instruction kinds, their printing, bounds and safe arguments are derived from a row's
forward, rule and domain, so a throwaway row (x cubed) goes through them as it is. The last
test adds the row the way an op author would, as one more row in a copy of the package, and
runs random programs that use it through the gradient checkers.
"""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from hypothesis import given

from autograd.ops.op import Op
from autograd.testing.instructions import Kind
from autograd.testing.programs import ProgramBuilder
from autograd.testing.safe_builder import inside
from autograd.testing.strategies import arguments_for

CUBE_DOMAIN = (((-2.0, 2.0),),)
CUBE_ROW = """
ROWS = ROWS + (
    Op("cube", 1, lambda x: x * x * x, lambda x, out: (3.0 * x * x,), ("3 * x**2",),
       (((-2.0, 2.0),),), "x cubed.", lambda z: z * z * z, lambda np, x: x * x * x),
)
"""


def cube():
    return Op("cube", 1, lambda x: x * x * x, lambda x, out: (3.0 * x * x,), ("3 * x**2",),
              CUBE_DOMAIN, "x cubed.", lambda z: z * z * z)


def test_a_throwaway_row_prints_bounds_and_keeps_its_domain_as_a_kind():
    kind = Kind("cube", cube())  # what instructions.INSTRUCTIONS holds for a row of ROWS
    assert kind.arity == 1 and kind.domain() == CUBE_DOMAIN
    assert kind.text(("x0",)) == "x0.cube()"
    lo, hi = kind.bound(((-1.0, 1.5),))
    assert lo <= -1.0 and hi >= 3.375 and hi - lo < 4.5  # sound and not much wider
    assert kind.analyse(((-1.0, 1.5),)).slopes == (6.75,)


@given(arguments_for(cube()))
def test_arguments_for_a_throwaway_row_come_from_its_domain(args):
    (x,) = args
    assert -2.0 <= x <= 2.0


def test_the_safe_builder_squashes_into_a_throwaway_rows_domain(monkeypatch):
    from autograd.testing import instructions

    monkeypatch.setitem(instructions.INSTRUCTIONS, "cube", Kind("cube", cube()))
    builder = ProgramBuilder(1, (-5.0, 5.0))
    out = builder.apply("cube", (0,))
    argument = builder.steps[-1].operands[0]
    assert argument != 0 and inside(builder.bounds[argument], CUBE_DOMAIN[0][0])
    assert builder.bounds[out][1] <= 8.0 + 1e-9
    assert builder.finish().source.splitlines()[-2].endswith(".cube()")


SCRIPT = """
import sys

import autograd
assert autograd.__file__.startswith(sys.argv[1]), autograd.__file__

from hypothesis import given, settings

from autograd import Value, ops
from autograd.testing import check_forward_reverse, check_grad, check_second_order
from autograd.testing.instructions import INSTRUCTIONS
from autograd.testing.op_calls import call_op
from autograd.testing.strategies import DOMAINS, arguments_for, programs_with_inputs

cube = ops.BY_NAME["cube"]
assert cube in ops.TABLE and "cube" in INSTRUCTIONS and DOMAINS["cube"] == (((-2.0, 2.0),),)
assert call_op(cube, Value(1.5)).data == 3.375
assert INSTRUCTIONS["cube"].text(("x0",)) == "x0.cube()"
assert INSTRUCTIONS["cube"].bound(((-1.0, 1.5),))[1] >= 3.375

used = []
once = settings(max_examples=30, derandomize=True, deadline=None, database=None)


@once
@given(programs_with_inputs(kinds=("cube", "add", "mul", "tanh")))
def programs_check(case):
    program, inputs = case
    used.append(any(step.kind == "cube" for step in program.steps))
    check_grad(program, inputs, method="complex_step", atol=1e-10, rtol=1e-9)
    check_forward_reverse(program, inputs)


@once
@given(arguments_for(cube))
def op_check(args):
    check_grad(lambda x: call_op(cube, x), args)
    check_second_order(lambda x: call_op(cube, x), args)


programs_check()
op_check()
assert any(used)
print("cube covered")
"""


def test_a_row_added_to_a_family_is_covered_with_no_other_edit(tmp_path):
    package = Path(__file__).resolve().parents[2] / "autograd"
    copy = tmp_path / "autograd"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "ops" / "arithmetic.py", "a") as family:
        family.write(CUBE_ROW)  # the one edit an op author makes
    script = tmp_path / "check_cube.py"
    script.write_text(textwrap.dedent(SCRIPT))
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True,
        cwd=tmp_path, env={"PYTHONPATH": str(tmp_path), "PATH": ""}, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "cube covered"
