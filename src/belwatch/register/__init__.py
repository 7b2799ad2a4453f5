"""The repression register: persecuted people and their cases, closed organisations,
"extremist" designations, and the officials responsible, with designation proposals."""

from belwatch.register.records import Actor, Change, Record, Repression, Source

__all__ = ["Actor", "Change", "Record", "Repression", "Source"]
