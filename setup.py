"""Packaging glue: problems/, solvers/ and cli/ sit at the top of the repository but install inside the
`searchlab` namespace, so no bare `problems`, `solvers` or `cli` package lands in site-packages.
Metadata lives in pyproject.toml; only the package list, which setuptools cannot find through a
directory mapping, is computed here."""

from setuptools import find_packages, setup

ROOTS = {"searchlab": "searchlab", "searchlab.problems": "problems", "searchlab.solvers": "solvers", "searchlab.cli": "cli"}

packages = []
for name, folder in ROOTS.items():
    packages += [name] + [f"{name}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=ROOTS)
