"""Standard mixed and combinatorial test functions posed as games, for comparing planners.

`ACKLEY_MIXED`, `LABS`, `JENATTON` and `PEST_CONTROL` are the registered problems (entry points
ackley-mixed, labs, jenatton, pest-control). Every one has the oracle options of `faults` (simulated cost and fault injection).
"""

from .ackley_mixed import ACKLEY_MIXED
from .jenatton import JENATTON
from .labs import LABS
from .pest_control import PEST_CONTROL

__all__ = ["ACKLEY_MIXED", "JENATTON", "LABS", "PEST_CONTROL"]
