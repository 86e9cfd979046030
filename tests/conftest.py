"""Fixtures shared by every test package.

Fixtures that only one package needs live in that package's own conftest.py.
"""
