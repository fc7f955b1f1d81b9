"""Read a parameter of the survey simulation without running or importing it.

The thesis states some simulation parameters in its prose (for instance the correlation it
drew between two attitudes), so that a reader can see which numbers measure the simulation
rather than Lankao. The scripts in ``data/simulation/`` are not an installed package, so the
value is read from the script's source: the module-level assignment ``NAME = <literal>``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from analysis.paths import SIMULATION

__all__ = ["parameter"]


def parameter(name: str, script: str = "simulate_survey", folder: Path = SIMULATION) -> object:
    """The literal value assigned to ``name`` at module level in ``data/simulation/<script>.py``.

    Parameters
    ----------
    name : str
        The module-level name.
    script : str, default "simulate_survey"
        The script in ``data/simulation``.
    folder : path
        The folder of the scripts.

    Returns
    -------
    object
        The literal value.

    Examples
    --------
    >>> parameter("SEED")
    20190715
    """
    path = folder / f"{script}.py"
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            try:
                return ast.literal_eval(value)
            except ValueError:
                raise ValueError(
                    f"{path}, line {node.lineno}: {name} is not a literal value"
                ) from None
    raise KeyError(f"{path}: no module-level parameter {name!r}")
