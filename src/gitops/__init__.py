"""Repo tooling: render, validate, policies, local runner, promotion, diff."""
