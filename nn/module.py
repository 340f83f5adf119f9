"""Module: the base class that gives every model named parameters, zero_grad and state dicts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from autograd import Value


class Module:
    """Base class for everything in `nn` that owns parameters.

    A module finds its parts by looking at its attributes, in the order they were set:
    a `Value` (or a list of Values) is a parameter, a `Module` (or a list of Modules) is
    a child. Parameter names are the parameters' labels (`W1[2,0]`, `b1[2]`); a child
    held in an attribute `enc` puts `enc.` in front of the names of its parameters, so two
    MLPs inside one model stay apart. Layer and MLP, whose labels are already unique,
    do not add their own neurons' and layers' names.

    Example:
        >>> from autograd import Value
        >>> class Line(Module):
        ...     def __init__(self):
        ...         self.a = Value(2.0, "a")
        ...         self.c = Value(0.5, "c")
        ...     def __call__(self, x):
        ...         return self.a * x + self.c
        >>> line = Line()
        >>> [name for name, _ in line.named_parameters()]
        ['a', 'c']
        >>> line.state_dict()
        {'a': 2.0, 'c': 0.5}
    """

    _prefix_child_names = True
    """Whether a child's attribute name goes in front of its parameter names."""

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(attribute name, module) for each direct child, in attribute order.

        Example:
            >>> from nn import MLP
            >>> [name for name, _ in MLP(2, [3, 1], seed=0).named_children()]
            ['layer1', 'layer2']
        """
        for attr, value in vars(self).items():
            if isinstance(value, Module):
                yield attr, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{attr}{i}", item

    def own_parameters(self) -> Iterator[tuple[str, Value]]:
        """(name, Value) for parameters held directly by this module, not by its children.

        In Neuron, Layer and MLP only the neurons hold parameters directly.

        Example:
            >>> from nn import Layer
            >>> layer = Layer(2, 2, seed=0)
            >>> list(layer.own_parameters())
            []
            >>> [name for name, _ in layer.neurons[1].own_parameters()]
            ['W[1,0]', 'W[1,1]', 'b[1]']
        """
        for attr, value in vars(self).items():
            if isinstance(value, Value):
                yield value.label or attr, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Value):
                        yield item.label or f"{attr}[{i}]", item

    def named_modules(self) -> Iterator[tuple[str, Module]]:
        """(dotted path, module) for this module ("") and every module below it, parents first.

        Example:
            >>> from nn import MLP
            >>> [name for name, _ in MLP(2, [2, 1], seed=0).named_modules()]
            ['', 'layer1', 'layer1.neuron0', 'layer1.neuron1', 'layer2', 'layer2.neuron0']
        """
        stack = [("", self)]
        while stack:
            path, module = stack.pop()
            yield path, module
            children = [
                (f"{path}.{name}" if path else name, child)
                for name, child in module.named_children()
            ]
            stack.extend(reversed(children))

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """(unique name, Value) for every parameter, in a fixed order.

        Raises ValueError if two parameters would get the same name, or if the same
        Value appears twice.

        Example:
            >>> from nn import Layer
            >>> [name for name, _ in Layer(2, 1, seed=0).named_parameters()]
            ['W[0,0]', 'W[0,1]', 'b[0]']
        """
        seen_names: dict[str, Value] = {}
        seen_ids: set[int] = set()
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:
            prefix, module = stack.pop()
            for name, param in module.own_parameters():
                full = prefix + name
                if id(param) in seen_ids:
                    raise ValueError(f"parameter {full!r} appears twice in the module tree")
                if full in seen_names:
                    raise ValueError(
                        f"two parameters are both named {full!r}; give them different labels "
                        "or hold the modules in differently named attributes"
                    )
                seen_names[full] = param
                seen_ids.add(id(param))
                yield full, param
            children = [
                (prefix + (f"{name}." if module._prefix_child_names else ""), child)
                for name, child in module.named_children()
            ]
            stack.extend(reversed(children))

    def parameters(self) -> list[Value]:
        """Every parameter as a list, in the order of `named_parameters()`.

        Example:
            >>> from nn import MLP
            >>> len(MLP(2, [3, 1], seed=0).parameters())  # (2*3 + 3) + (3*1 + 1)
            13
        """
        return [param for _, param in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0.0.

        Example:
            >>> from nn import Neuron
            >>> n = Neuron(2, seed=0)
            >>> n([1.0, 2.0]).backward()
            >>> n.zero_grad()
            >>> [p.grad for p in n.parameters()]
            [0.0, 0.0, 0.0]
        """
        for param in self.parameters():
            param.grad = 0.0

    def state_dict(self) -> dict[str, Any]:
        """The parameter values, grouped into nested lists by name (`W1` -> rows of floats).

        Example:
            >>> from nn import Neuron
            >>> Neuron(2, seed=0).state_dict().keys()
            dict_keys(['w', 'b'])
        """
        from nn.state import state_from_parameters

        return state_from_parameters(self.named_parameters())

    def load_state_dict(self, state: Any, strict: bool = True) -> None:
        """Copy values from a state dict into the parameters; on any error change nothing.

        Raises `nn.StateDictError` for missing or extra keys (when strict), wrong shapes,
        and values that are not finite real numbers.

        Example:
            >>> from nn import Neuron
            >>> a, b = Neuron(2, seed=0), Neuron(2, seed=1)
            >>> b.load_state_dict(a.state_dict())
            >>> b.state_dict() == a.state_dict()
            True
        """
        from nn.state import assign_state

        assign_state(list(self.named_parameters()), state, strict=strict)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")
