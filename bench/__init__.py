"""Speed and memory measurements. `python -m bench [NAME…]` runs every `bench/*_speed.py` module's
`main()` (or those whose name contains one of NAME) and writes each result to bench/results/NAME.json."""
