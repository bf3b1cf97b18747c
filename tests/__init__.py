"""imagelint's test suite, a package so that its modules import each other as ``tests.*``.

Helpers shared with the benchmarks (``bench/``) live here and are imported normally:
``tests.helpers`` (paths, the shared material, a one-call check), ``tests.bounds`` (hostile
inputs and a measured child run), ``tests.fuzzing`` (hypothesis strategies and properties) and
``tests.registry`` (real registries and fault servers). Run from the repository root:
``python -m pytest``.
"""
