"""How a night reaches the warehouse: its files (layout.py), one writer at a time (lease.py),
the work copy and the atomic publication (night.py), the load step's records (bookkeeping.py)."""
