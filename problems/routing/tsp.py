"""Path-TSP, the BQ-NCO reduced MDP of the TSP: a state is (current node, destination, remaining nodes).

A full TSP is the path-TSP whose destination is its start; a move picks the next node, which becomes the
current one. The state also keeps the path so far (for keys and for the solution); the policy sees only
the reduced part: tokens `[current, remaining..., destination]` with features
`(x, y, is_current, is_destination)`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from searchlab.solvers.routing import Solution, TSPInstance, path_length

from .common import cycle_key, seq_key, unit_coords

D_IN = 4


@dataclass(frozen=True)
class TSPState:
    """The path so far (path[0] is the start) and the nodes still to visit, sorted."""

    path: tuple[int, ...]
    remaining: tuple[int, ...]

    @property
    def current(self) -> int:
        return self.path[-1]


@dataclass(frozen=True, eq=False)
class PathTSPGame:
    """Visit `nodes` (default: all but start and destination) from `start`, ending at `destination`
    (default: back at `start`, a closed tour)."""

    instance: TSPInstance
    start: int = 0
    destination: int | None = None
    nodes: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        n = self.instance.n_nodes
        dest = self.start if self.destination is None else self.destination
        nodes = tuple(sorted(set(range(n)) - {self.start, dest})) if self.nodes is None else tuple(sorted(self.nodes))
        if not (0 <= self.start < n and 0 <= dest < n) or any(not 0 <= v < n or v in (self.start, dest) for v in nodes):
            raise ValueError("start, destination and nodes must be distinct node indices of the instance")
        object.__setattr__(self, "destination", dest)
        object.__setattr__(self, "nodes", nodes)
        object.__setattr__(self, "_dist", self.instance.distances())
        object.__setattr__(self, "_xy", unit_coords(self.instance.coords))

    @property
    def closed(self) -> bool:
        return self.destination == self.start

    def initial_state(self) -> TSPState:
        return TSPState((self.start,), self.nodes)

    def legal_actions(self, state: TSPState) -> tuple[int, ...]:
        return state.remaining

    def step(self, state: TSPState, action: int) -> TSPState:
        if action not in state.remaining:
            raise ValueError(f"node {action!r} is not a remaining node")
        v = int(action)
        return TSPState(state.path + (v,), tuple(u for u in state.remaining if u != v))

    def is_terminal(self, state: TSPState) -> bool:
        return not state.remaining

    def key(self, state: TSPState) -> str:
        """The path; a finished closed tour is keyed direction-free (a tour and its reverse are one solution)."""
        if self.closed and self.is_terminal(state):
            return cycle_key(state.path)
        return seq_key(state.path)

    def quotient_key(self, state: TSPState) -> str:
        """The BQ state (current, destination, remaining): equal for histories with the same future."""
        return f"{state.current}>{self.destination}:{seq_key(state.remaining)}"

    def tokens(self, state: TSPState) -> tuple[np.ndarray, np.ndarray]:
        idx = [state.current, *state.remaining, self.destination]
        feats = np.zeros((len(idx), D_IN), np.float32)
        feats[:, :2] = self._xy[idx]
        feats[0, 2] = 1.0
        feats[-1, 3] = 1.0
        mask = np.ones(len(idx), bool)
        mask[0] = mask[-1] = False
        return feats, mask

    def actions_of_tokens(self, state: TSPState) -> list[int | None]:
        return [None, *state.remaining, None]

    def features(self, state: TSPState) -> np.ndarray:
        """Visited indicator per node, then a one-hot of the current node (for surrogates)."""
        n = self.instance.n_nodes
        f = np.zeros(2 * n)
        f[list(state.path)] = 1.0
        f[n + state.current] = 1.0
        return f

    def tour(self, state: TSPState) -> tuple[int, ...]:
        """The node sequence: the closed tour from the start, or the path ending at the destination."""
        return state.path if self.closed else state.path + (self.destination,)

    def solution(self, state: TSPState) -> Solution:
        return Solution.of_tour(self.tour(state), method="game")

    def objective(self, state: TSPState) -> float:
        """Length of the (possibly partial) path, closed back to the start / to the destination when finished."""
        end = (self.destination,) if self.is_terminal(state) else ()
        return path_length(self._dist, state.path + end)

    def actions_of_solution(self, solution: Solution) -> list[int]:
        """The moves that build `solution` (a tour, rotated to the start; for a path, ending at the destination)."""
        tour = list(solution.tour)
        if self.closed:
            i = tour.index(self.start)
            return tour[i + 1 :] + tour[:i]
        if tour[0] != self.start or tour[-1] != self.destination:
            raise ValueError("the path must run from the start to the destination")
        return tour[1:-1]
