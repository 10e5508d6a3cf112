"""Speed measurements that print tables; run each from the project root as a module,
e.g. `python -m benchmarks.bench_model` (the root is then on the import path, no sys.path edits)."""
