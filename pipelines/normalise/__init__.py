"""Vectorised normalisers: each turns one kind of raw text column into typed, comparable values."""
