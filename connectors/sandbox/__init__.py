"""Local marketplaces that follow the official contracts: for the demo, the tests and the benchmarks."""
