"""``ilo.records.record`` behaves as ``dataclass(slots=True)`` for everything the code base
relies on: construction, defaults and factories, ``__post_init__``, repr, value equality and
hashing or identity, immutability, slots, pattern matching, copying and pickling, and the
``dataclasses`` helpers."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from ilo.records import record


class Base:
    __slots__ = ()


@record(eq=False)
class Node(Base):
    name: str
    items: list = dataclasses.field(default_factory=list)
    flag: bool = False


@record(frozen=True)
class Point(Base):
    x: float
    y: float = 0.0

    def __str__(self) -> str:
        return f"{self.x},{self.y}"


@record(frozen=True)
class Unit(Base):
    pass


@record
class Counted:
    values: list
    total: int = 0

    def __post_init__(self) -> None:
        self.total = sum(self.values)


@dataclasses.dataclass(frozen=True, slots=True)
class DataPoint(Base):
    x: float
    y: float = 0.0


def test_construction_defaults_and_factories():
    a, b = Node("a"), Node("b", [1], flag=True)
    assert (a.name, a.items, a.flag) == ("a", [], False)
    assert (b.name, b.items, b.flag) == ("b", [1], True)
    assert Node("c").items is not Node("c").items  # a fresh list each time
    assert Counted([1, 2, 3]).total == 6
    with pytest.raises(TypeError):
        Node()
    with pytest.raises(TypeError):
        Point(1, 2, 3)


def test_repr_and_str_as_a_dataclass():
    assert repr(Point(1.0, 2.0)) == repr(DataPoint(1.0, 2.0)).replace("DataPoint", "Point")
    assert repr(Node("a")) == "Node(name='a', items=[], flag=False)"
    assert str(Point(1, 2)) == "1,2"  # the class's own methods are kept
    assert repr(Unit()) == "Unit()"


def test_identity_or_value_equality():
    assert Node("a") != Node("a")  # eq=False: identity, as AST nodes need
    n = Node("a")
    assert n == n and {n: 1}[n] == 1
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2)) == hash(Point(1, 2)) == hash(DataPoint(1, 2))
    assert Unit() == Unit() and hash(Unit()) == hash(())
    assert Point(1, 2) != DataPoint(1, 2)  # another class is never equal
    with pytest.raises(TypeError):
        hash(Counted([1]))  # compared by value and mutable: unhashable, as a dataclass


def test_frozen_and_slotted():
    p = Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 5
    with pytest.raises(AttributeError):
        del p.y
    n = Node("a")
    n.name = "b"
    assert n.name == "b"
    with pytest.raises(AttributeError):
        n.other = 1  # slots: no __dict__
    assert not hasattr(n, "__dict__") and Node.__slots__ == ("name", "items", "flag")


def test_match_copy_pickle_and_dataclass_helpers():
    match Point(3, 4):
        case Point(x, y):
            assert (x, y) == (3, 4)
    p = Point(1, 2)
    assert copy.copy(p) == p and copy.deepcopy(p) == p and pickle.loads(pickle.dumps(p)) == p
    assert dataclasses.is_dataclass(Node) and [f.name for f in dataclasses.fields(Node)] == ["name", "items", "flag"]
    assert dataclasses.replace(p, y=9) == Point(1, 9)
    assert dataclasses.asdict(Node("a", [1])) == {"name": "a", "items": [1], "flag": False}
    assert Point.__match_args__ == ("x", "y") and isinstance(p, Base)


@record(eq=False)
class Child(Node):
    extra: int = 0


def test_fields_are_inherited():
    c = Child("a", [1], True, 5)
    assert (c.name, c.items, c.flag, c.extra) == ("a", [1], True, 5)
    assert Child("b").items == [] and Child("b").extra == 0
    assert Child.__match_args__ == ("name", "items", "flag", "extra") and Child.__slots__ == ("extra",)
    assert isinstance(c, Node) and not hasattr(c, "__dict__")
