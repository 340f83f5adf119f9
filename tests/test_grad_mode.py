"""no_grad and enable_grad: per thread and per asyncio task, on every way a node is built."""

import asyncio
import threading

import pytest

from autograd import Value, no_grad
from autograd.grad_mode import enable_grad, open_no_grad_blocks


def built_every_way(x):
    """One node per way of building one: unary, binary, reflected, a parameter, **, general."""
    return [x.tanh(), x * x, x + 2, 3.0 - x, x.leaky_relu(0.1), x ** 2, x.maximum(Value(0.1))]


def test_inside_no_grad_every_way_of_building_gives_a_leaf():
    x = Value(0.5)
    with no_grad():
        results = built_every_way(x)
    assert all(r.parents == () and r.op == "" for r in results)
    assert all(r.parents for r in built_every_way(x))


def test_enable_grad_inside_no_grad_records_again():
    x = Value(0.5)
    with no_grad(), enable_grad():
        assert all(r.parents for r in built_every_way(x))


def test_the_count_of_open_blocks_returns_to_zero_after_an_error():
    with pytest.raises(KeyError), no_grad(), no_grad():
        assert open_no_grad_blocks[0] == 2
        raise KeyError("inside")
    assert open_no_grad_blocks[0] == 0


def test_a_no_grad_block_in_one_thread_leaves_other_threads_recording():
    inside, done = threading.Event(), threading.Event()

    def hold_block_open():
        with no_grad():
            inside.set()
            done.wait(10)

    holder = threading.Thread(target=hold_block_open)
    holder.start()
    try:
        assert inside.wait(10)
        x = Value(0.5)
        assert all(r.parents for r in built_every_way(x))
    finally:
        done.set()
        holder.join()


def test_a_no_grad_block_in_one_task_leaves_other_tasks_recording():
    async def main():
        inside = asyncio.Event()
        release = asyncio.Event()

        async def hold_block_open():
            with no_grad():
                inside.set()
                await release.wait()
                return Value(0.5).tanh().parents

        holder = asyncio.create_task(hold_block_open())
        await inside.wait()
        recorded = [r.parents for r in built_every_way(Value(0.5))]
        release.set()
        return recorded, await holder

    recorded, inside_parents = asyncio.run(main())
    assert all(recorded)
    assert inside_parents == ()
