"""Tie department records to registry persons: exact, converted, repaired, card, then fuzzy.

The tiers are models (sql/models/linking/); here live what SQL does badly (the fuzzy tier's
comparisons and model, pipelines/linking/{comparisons,model,fuzzy}.py), the SELECT of every
department record's identifying evidence (records.py) and the step's summary (run.py).
"""
