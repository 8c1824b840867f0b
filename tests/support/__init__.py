"""Helpers more than one test folder uses; every test module imports them as `tests.support.<module>`."""
