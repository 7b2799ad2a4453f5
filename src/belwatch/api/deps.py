from __future__ import annotations

import gc

from fastapi import Request

from belwatch.register.records import Actor
from belwatch.store import Store

# Who asks when nobody is signed in: a viewer, who sees public records only.
VISITOR = Actor("web visitor", "viewer")


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def settle() -> None:
    """After building what the server keeps for its lifetime (the matcher's profiles, the
    graph): move it out of the garbage collector's sight. Millions of long-lived objects
    would otherwise be walked on every full collection, pausing a request for a tenth of a
    second or more."""
    gc.collect()
    gc.freeze()


def current_actor(request: Request) -> Actor:
    """The signed-in account's actor (set by web.signin's middleware), else a visitor."""
    actor: Actor = getattr(request.state, "actor", VISITOR)
    return actor
