"""Declared models: every transformation after staging is a SELECT in sql/models/ (project.py
loads and orders them, runner.py runs one step of a night, python_models.py holds the few
computed in Python, inputs.py gives a step's connection its inputs)."""
