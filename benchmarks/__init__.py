"""Performance benchmarks: one module per screen or job, each with a main().

Run one with `python -m benchmarks.<module>` or all of them with `make bench`
(`python -m benchmarks.run`). Results go into docs/benchmarks.md, one section each.
"""
