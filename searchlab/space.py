"""Declarative parameter spaces: typed, bounded, validated parameters for leaf parameters and configs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .errors import ConfigError


@dataclass(frozen=True)
class Real:
    """A real number in [low, high]; `log=True` samples and models it on a log scale."""

    name: str
    low: float
    high: float
    log: bool = False
    default: float | None = None
    help: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low <= self.high):
            raise ValueError(f"{self.name}: need finite low <= high, got [{self.low}, {self.high}]")
        if self.log and self.low <= 0:
            raise ValueError(f"{self.name}: a log-scaled parameter needs low > 0")

    def validate(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ConfigError(f"{self.name}: expected a number, got {value!r}")
        v = float(value)
        if not (self.low <= v <= self.high):
            raise ConfigError(f"{self.name}: {v} is outside [{self.low}, {self.high}]")
        return v

    def parse(self, text: str) -> float:
        try:
            return self.validate(float(text))
        except ValueError:
            raise ConfigError(f"{self.name}: expected a number, got {text!r}") from None

    def sample(self, rng: np.random.Generator) -> float:
        if self.log:
            return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))
        return float(rng.uniform(self.low, self.high))

    def to_unit(self, value: float) -> float:
        """Map a value to [0, 1] (on the log scale when `log`), as surrogate models want."""
        if self.high == self.low:
            return 0.5
        if self.log:
            return (math.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, u: float) -> float:
        u = min(max(float(u), 0.0), 1.0)
        if self.log:
            return float(math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low))))
        return float(self.low + u * (self.high - self.low))


@dataclass(frozen=True)
class Int:
    """An integer in [low, high] (both inclusive)."""

    name: str
    low: int
    high: int
    log: bool = False
    default: int | None = None
    help: str = ""

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"{self.name}: need low <= high")
        if self.log and self.low <= 0:
            raise ValueError(f"{self.name}: a log-scaled parameter needs low > 0")

    def validate(self, value: Any) -> int:
        if isinstance(value, bool):
            raise ConfigError(f"{self.name}: expected an integer, got {value!r}")
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        if not isinstance(value, (int, np.integer)):
            raise ConfigError(f"{self.name}: expected an integer, got {value!r}")
        v = int(value)
        if not (self.low <= v <= self.high):
            raise ConfigError(f"{self.name}: {v} is outside [{self.low}, {self.high}]")
        return v

    def parse(self, text: str) -> int:
        try:
            return self.validate(int(text))
        except ValueError:
            raise ConfigError(f"{self.name}: expected an integer, got {text!r}") from None

    def sample(self, rng: np.random.Generator) -> int:
        if self.log:
            u = rng.uniform(math.log(self.low), math.log(self.high + 1))
            return int(min(self.high, math.floor(math.exp(u))))
        return int(rng.integers(self.low, self.high + 1))

    def to_unit(self, value: int) -> float:
        if self.high == self.low:
            return 0.5
        if self.log:
            return (math.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, u: float) -> int:
        u = min(max(float(u), 0.0), 1.0)
        if self.log:
            x = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        return int(min(self.high, max(self.low, round(x))))


@dataclass(frozen=True)
class Categorical:
    """One of a fixed list of choices (strings, numbers or booleans)."""

    name: str
    choices: tuple[Any, ...]
    default: Any = None
    help: str = ""

    def __post_init__(self) -> None:
        if not self.choices:
            raise ValueError(f"{self.name}: a categorical parameter needs at least one choice")
        object.__setattr__(self, "choices", tuple(self.choices))

    def validate(self, value: Any) -> Any:
        for c in self.choices:
            if value == c and type(value) is type(c):
                return c
        raise ConfigError(f"{self.name}: {value!r} is not one of {list(self.choices)}")

    def parse(self, text: str) -> Any:
        for c in self.choices:
            if str(c).lower() == text.strip().lower():
                return c
        raise ConfigError(f"{self.name}: {text!r} is not one of {[str(c) for c in self.choices]}")

    def sample(self, rng: np.random.Generator) -> Any:
        return self.choices[int(rng.integers(len(self.choices)))]


@dataclass(frozen=True)
class Text:
    """A free-form string (a file path, a name); only used in problem configurations."""

    name: str
    default: str | None = None
    help: str = ""

    def validate(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ConfigError(f"{self.name}: expected a string, got {value!r}")
        return value

    def parse(self, text: str) -> str:
        return text


Param = Real | Int | Categorical | Text


@dataclass(frozen=True)
class Space:
    """An ordered set of named parameters; validates dictionaries and parses `key=value` overrides."""

    params: tuple[Param, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", tuple(self.params))
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate parameter names in {names}")

    def __iter__(self):
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)

    def __contains__(self, name: object) -> bool:
        return any(p.name == name for p in self.params)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def get(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ConfigError(f"unknown parameter {name!r} (known: {', '.join(self.names) or 'none'})")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def validate(self, values: Mapping[str, Any], *, complete: bool = True) -> dict[str, Any]:
        """Check every value against its parameter; return them in canonical types and order."""
        unknown = [k for k in values if k not in self]
        if unknown:
            raise ConfigError(f"unknown parameter {unknown[0]!r} (known: {', '.join(self.names) or 'none'})")
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name in values:
                out[p.name] = p.validate(values[p.name])
            elif complete:
                raise ConfigError(f"missing value for parameter {p.name!r}")
        return out

    def parse_overrides(self, items: Iterable[str]) -> dict[str, Any]:
        """Parse `key=value` strings (as given to `--set`) into typed values."""
        out: dict[str, Any] = {}
        for item in items:
            if "=" not in item:
                raise ConfigError(f"--set expects key=value, got {item!r}")
            key, text = item.split("=", 1)
            out[key.strip()] = self.get(key.strip()).parse(text.strip())
        return out

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        return {p.name: p.sample(rng) for p in self.params}


def resolve_config(
    space: Space, presets: Mapping[str, Mapping[str, Any]], preset: str | None, overrides: Sequence[str]
) -> dict[str, Any]:
    """Defaults, then the named preset, then `--set` overrides; the result is validated and complete."""
    values = space.defaults()
    if preset is not None:
        if preset not in presets:
            raise ConfigError(f"unknown preset {preset!r} (known: {', '.join(presets) or 'none'})")
        values.update(presets[preset])
    values.update(space.parse_overrides(overrides))
    return space.validate(values)
