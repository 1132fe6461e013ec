"""Klustera: open, multi-tenant software for running residential complexes."""
