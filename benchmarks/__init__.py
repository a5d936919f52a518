"""Benchmarks of aaa_middleware against the floor: the least any webhook receiver must do.

Run them all with ``python -m benchmarks`` (``--quick`` for a short run, ``--json PATH`` to
keep the results); see `benchmarks.run` for the options and the README for what each row
measures.
"""
