"""The error tree drawn in studio/errors.py names every StudioError subclass."""

from __future__ import annotations

import importlib
import pkgutil

import studio
import studio.errors
from studio.errors import StudioError


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub, *_subclasses(sub)}
    return out


def test_every_error_class_is_in_the_drawn_tree() -> None:
    for info in pkgutil.walk_packages(studio.__path__, "studio."):
        importlib.import_module(info.name)
    doc = studio.errors.__doc__ or ""
    names = {c.__name__ for c in _subclasses(StudioError) if c.__module__.startswith("studio")}
    assert "ShotError" in names
    assert sorted(n for n in names if f"── {n}" not in doc) == []
