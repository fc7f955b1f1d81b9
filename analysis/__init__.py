"""Analysis package for the Lankao thesis: loading, validation, statistics, figures.

Submodules are imported explicitly by their users (``from analysis import survey``);
this file deliberately imports nothing so that importing the package has no side effects.

Names of results
----------------
Every result the package returns, a dataclass field or a column of a result frame, follows
one scheme, so that a reader who knows one result knows them all:

``statistic``
    The test statistic (W, U, H, F, t, chi-square, ...). The test is named by the function,
    or by a ``test`` field where one function can run several.
``p_value``
    The p-value of that test, unadjusted and two-sided unless the docstring says otherwise.
``<qualifier>_statistic``, ``<qualifier>_p_value``
    When one record holds more than one statistic or p-value, each other one is prefixed by
    what distinguishes it: the test (``kruskal_``, ``f_``, ``bp_`` Breusch-Pagan, ``jb_``
    Jarque-Bera), the quantity tested (``rho_``, ``partial_``), an adjustment (``holm_``) or
    the reference distribution (``perm_`` for a permutation test).
``df``, ``df2``
    Degrees of freedom (numerator and denominator of an F distribution).
``ci_low``, ``ci_high``
    The bounds of a 95% confidence interval (a bootstrap interval has the level of
    :data:`analysis.resampling.LEVEL`); an interval of a derived quantity is prefixed by it
    (``ratio_ci_low``, ``ratio_ci_high``).
``n``, ``n_<group>``
    The number of observations actually used (after missing values are left out), overall
    and per group; ``n_clusters`` counts villages.
Effect sizes
    Named by the measure: ``rank_biserial``, ``cramers_v``, ``hedges_g``, ``cles``, ``rho``,
    ``kappa``, ``icc``; a result that can carry several measures has ``effect_size`` with
    ``effect_name``.
Estimates
    ``coef`` and ``se`` for model coefficients (``term`` names the coefficient), ``estimate``
    for a summary statistic with an interval, ``median_<what>`` and ``mean_<what>`` for
    descriptive values. Shares are fractions 0-1 (``share``), never percentages.

Labels and category orders (registration statuses, staff roles, assistance types, interview
themes) come from ``data/codebook.yaml`` through :mod:`analysis.codebook`, nowhere else.
"""
