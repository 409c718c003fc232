"""Tie department records to registry persons: a clerk's confirmation, then exact, converted,
repaired, card, household context, fuzzy.

The tiers are models (sql/models/linking/); here live what SQL does badly (the fuzzy tier's
comparisons and model, pipelines/linking/{comparisons,model,fuzzy}.py), the SELECT of every
department record's identifying evidence and the household it names (records.py) and the step's
summary (run.py). People's decisions about ties (tie_overrides: review decisions, false alarms)
are honoured by every tier: a confirmation links first, a refusal removes the pair.
"""
