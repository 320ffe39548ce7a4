"""Standard mixed and combinatorial test functions posed as games, for comparing planners.

`ACKLEY_MIXED`, `LABS` and `JENATTON` are the registered problems (entry points ackley-mixed, labs,
jenatton). Every one has the oracle options of `faults` (simulated cost and fault injection).
"""

from .ackley_mixed import ACKLEY_MIXED
from .jenatton import JENATTON
from .labs import LABS

__all__ = ["ACKLEY_MIXED", "JENATTON", "LABS"]

from .pest_control import PEST_CONTROL  # noqa: E402  (entry point pest-control)

__all__ += ["PEST_CONTROL"]
