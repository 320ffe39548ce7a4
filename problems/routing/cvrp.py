"""Path-CVRP, the BQ-NCO reduced MDP of the CVRP: a state is (current node, depot as destination,
remaining customers with demands, remaining vehicle capacity).

A move is `(customer, via)`: `via = 0` goes there directly, `via = 1` first returns to the depot (the
capacity is reset, a new route starts). Direct moves need demand <= remaining capacity; going via the
depot is always allowed once a route has started. Tokens `[current, remaining..., depot]` with features
`(x, y, demand / C, remaining capacity / C, is_current, is_depot)` and two slots per token
(`n_choices = 2`: direct, via depot)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from searchlab.solvers.routing import CVRPInstance, Solution, path_length

from .common import seq_key, unit_coords

D_IN = 6
N_CHOICES = 2
DIRECT, VIA_DEPOT = 0, 1

Move = tuple[int, int]


@dataclass(frozen=True)
class CVRPState:
    """Finished routes, the open route, the customers still to serve (sorted) and the open route's spare capacity."""

    routes: tuple[tuple[int, ...], ...]
    route: tuple[int, ...]
    remaining: tuple[int, ...]
    capacity: int

    @property
    def current(self) -> int:
        return self.route[-1] if self.route else 0


def _route_key(route: tuple[int, ...]) -> str:
    return seq_key(min(route, route[::-1]))


@dataclass(frozen=True, eq=False)
class PathCVRPGame:
    """Serve every customer of `instance` from its depot (node 0)."""

    instance: CVRPInstance

    def __post_init__(self) -> None:
        object.__setattr__(self, "_dist", self.instance.distances())
        object.__setattr__(self, "_xy", unit_coords(self.instance.coords))

    def initial_state(self) -> CVRPState:
        return CVRPState((), (), tuple(range(1, self.instance.n_customers + 1)), self.instance.capacity)

    def _fits(self, state: CVRPState, v: int) -> bool:
        return int(self.instance.demands[v]) <= state.capacity

    def legal_actions(self, state: CVRPState) -> tuple[Move, ...]:
        out: list[Move] = []
        for v in state.remaining:
            if self._fits(state, v):
                out.append((v, DIRECT))
            if state.route:
                out.append((v, VIA_DEPOT))
        return tuple(out)

    def step(self, state: CVRPState, action: Move) -> CVRPState:
        v, via = action
        if v not in state.remaining or via not in (DIRECT, VIA_DEPOT) or (via == VIA_DEPOT and not state.route):
            raise ValueError(f"move {action!r} is not legal here")
        if via == DIRECT and not self._fits(state, v):
            raise ValueError(f"customer {v} (demand {self.instance.demands[v]}) does not fit capacity {state.capacity}")
        rest = tuple(u for u in state.remaining if u != v)
        dem = int(self.instance.demands[v])
        if via == VIA_DEPOT:
            return CVRPState(state.routes + (state.route,), (int(v),), rest, self.instance.capacity - dem)
        return CVRPState(state.routes, state.route + (int(v),), rest, state.capacity - dem)

    def is_terminal(self, state: CVRPState) -> bool:
        return not state.remaining

    def all_routes(self, state: CVRPState) -> tuple[tuple[int, ...], ...]:
        return state.routes + ((state.route,) if state.route else ())

    def key(self, state: CVRPState) -> str:
        """Finished routes as a set of direction-free routes, then the open route (all routes once finished)."""
        if self.is_terminal(state):
            return ";".join(sorted(_route_key(r) for r in self.all_routes(state)))
        return ";".join(sorted(_route_key(r) for r in state.routes)) + "|" + seq_key(state.route)

    def quotient_key(self, state: CVRPState) -> str:
        """The BQ state (current node, remaining capacity, remaining customers)."""
        return f"{state.current}:{state.capacity}:{seq_key(state.remaining)}"

    def tokens(self, state: CVRPState) -> tuple[np.ndarray, np.ndarray]:
        idx = [state.current, *state.remaining, 0]
        cap = float(self.instance.capacity)
        feats = np.zeros((len(idx), D_IN), np.float32)
        feats[:, :2] = self._xy[idx]
        feats[:, 2] = self.instance.demands[idx] / cap
        feats[:, 3] = state.capacity / cap
        feats[0, 4] = 1.0
        feats[-1, 5] = 1.0
        mask = np.zeros((len(idx), N_CHOICES), bool)
        for i, v in enumerate(state.remaining, start=1):
            mask[i, DIRECT] = self._fits(state, v)
            mask[i, VIA_DEPOT] = bool(state.route)
        return feats, mask

    def actions_of_tokens(self, state: CVRPState) -> list[Move | None]:
        out: list[Move | None] = [None, None]
        for v in state.remaining:
            out += [(v, DIRECT), (v, VIA_DEPOT)]
        return out + [None, None]

    def features(self, state: CVRPState) -> np.ndarray:
        """Served indicator per node plus the spare capacity fraction (for surrogates)."""
        f = np.ones(self.instance.n_customers + 2)
        f[list(state.remaining)] = 0.0
        f[-1] = state.capacity / self.instance.capacity
        return f

    def solution(self, state: CVRPState) -> Solution:
        return Solution.of_routes(self.all_routes(state), method="game")

    def objective(self, state: CVRPState) -> float:
        """Total length: finished routes closed at the depot; the open route closed once the game is over."""
        total = sum(path_length(self._dist, [0, *r, 0]) for r in state.routes)
        tail = [0, *state.route] + ([0] if self.is_terminal(state) else [])
        return total + path_length(self._dist, tail)

    def actions_of_solution(self, solution: Solution) -> list[Move]:
        """The moves that build `solution`, routes ordered fullest first (ascending spare capacity, as
        in BQ-NCO's training data); each route after the first starts with a via-depot move."""
        dem = self.instance.demands
        routes = sorted(solution.routes, key=lambda r: self.instance.capacity - int(dem[list(r)].sum()))
        moves: list[Move] = []
        for k, r in enumerate(routes):
            moves += [(int(v), VIA_DEPOT if k > 0 and j == 0 else DIRECT) for j, v in enumerate(r)]
        return moves
