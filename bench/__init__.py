"""imagelint's benchmarks, run from the repository root as modules: ``python -m bench.core``,
``python -m bench.bounds``, ``python -m bench.fuzz``, ``python -m bench.online``,
``python -m bench.backends``, ``python -m bench.trees``, ``python -m bench.coverage``
(bench/README.md says what each prints).

They import what they share with the test suite from the ``tests`` package: the hostile inputs
and measured runs of ``tests.bounds``, the fuzzing strategies of ``tests.fuzzing``, the
registries of ``tests.registry``. The suite imports nothing from here.
"""
