"""Screening: finding a listed person under any spelling of their name.

``names`` turns names into comparable forms (transliteration, skeleton keys); matchers built on
it are pure functions so that scores can be explained and pinned.
"""
