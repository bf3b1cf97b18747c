"""The base of the immutable records that flow between the stages: plain ``__slots__`` classes.

A frozen dataclass generates its methods by compiling source text when its class is defined,
and a one-file run pays for every class it imports. A subclass of :class:`FrozenRecord` writes
its ``__init__`` out (setting each slot through ``object.__setattr__``, as a frozen dataclass
does) and gets the rest here: no assignment or deletion after ``__init__``, a dataclass-style
repr, and pickling as a call of the class with its field values.

A subclass lists its fields in ``__slots__``, in ``__init__`` order; every field is an
``__init__`` parameter. It compares and hashes by identity, unless it derives from
:class:`ValueRecord` (by its class and field values) or defines ``__eq__`` and ``__hash__``.
"""

from __future__ import annotations

import operator
from typing import Any, ClassVar, NoReturn

# Sets a slot of a record being built, past the record's own __setattr__ that refuses it.
set_field = object.__setattr__


class FrozenFieldError(AttributeError):
    """An assignment to (or deletion of) a field of a record, which is immutable. (Like
    ``dataclasses.FrozenInstanceError``, without importing dataclasses on every run.)"""


class FrozenRecord:
    """Immutable fields, a repr naming them, and pickling as ``cls(*fields)``."""

    __slots__ = ()
    # The field names in __init__ order, which `match` also binds positionally.
    __match_args__: ClassVar[tuple[str, ...]]
    # The field values of a record, in __init__ order (an attrgetter: no Python loop).
    _field_values: ClassVar[operator.attrgetter[tuple[Any, ...]]]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        names = tuple(cls.__dict__["__slots__"])
        if not names:
            return  # a base of records (ValueRecord)
        if len(names) < 2:
            raise TypeError(f"{cls.__name__}: a record has two fields or more")
        # mypy takes __match_args__ for one fixed when the class is written; it is set here.
        cls.__match_args__ = names  # type: ignore[misc]
        cls._field_values = operator.attrgetter(*names)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise FrozenFieldError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise FrozenFieldError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        values = self._field_values(self)
        shown = ", ".join(
            f"{name}={value!r}" for name, value in zip(self.__match_args__, values, strict=True)
        )
        return f"{type(self).__qualname__}({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Records cross from worker processes to the parent: rebuilt by one call of the class
        rather than the stock slot-by-slot restore, which runs a Python loop per record."""
        return (type(self), self._field_values(self))


class ValueRecord(FrozenRecord):
    """A record equal to another of its class with the same field values, and hashed by them
    (hashable when its fields are)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._field_values(self) == self._field_values(other)

    def __hash__(self) -> int:
        return hash(self._field_values(self))
