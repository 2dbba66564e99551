from __future__ import annotations


def seed_secondary(**kwargs) -> None:
    return None
