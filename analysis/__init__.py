"""Analysis package for the Lankao thesis: loading, validation, statistics, figures.

Submodules are imported explicitly by their users (``from analysis import survey``);
this file deliberately imports nothing so that importing the package has no side effects.
"""
