"""The benchmark of the whole pipeline (see bench/README.md)."""
