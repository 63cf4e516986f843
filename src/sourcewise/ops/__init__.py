"""The operator's entry points that start processes: `serve` (web + worker) and `worker`."""
