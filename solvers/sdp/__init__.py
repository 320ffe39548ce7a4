"""Sum-of-squares / SDP numerics for univariate bounds (Cohn–Elkies), with exact certification.

Submodules: `laguerre` (bases), `sos` (half-line Gram certificates), `problem` (standard-form SDP),
`sdpa_backend` / `cvxpy_backend` (solvers), `sdpa_format` (.dat-s export), `exact` (exact sign checks),
`certificate` (pure verifier), `cohn_elkies` (the LP bound end to end), `report` (results table).
"""
