"""Benchmarks: the million-record drill and its raw-SQL floor (not part of the test run).

Run ``python -m benchmarks.run --sizes 10k,100k,1M --backends sqlite,postgresql``
from the repository root; see ``benchmarks/run.py``.
"""
