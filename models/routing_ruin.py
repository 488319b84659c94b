"""Ruin and recreate (Schrimpf et al.) over a locally optimal plan: take stops out, put
them back, search locally, accept a slightly longer plan at first; keep the best."""

from __future__ import annotations

import random

from models.routing_insertion import insert_all, insert_by_regret
from models.routing_problem import Route, RoutingProblem, plan_key
from models.routing_search import improve

RUIN_ROUNDS = 100  # ruin-and-recreate rounds on a small plan
RUIN_WORK = 1000  # fewer rounds on a big plan: RUIN_WORK / stops
RUIN_MAX = 10  # stops removed in a round, at most
RUIN_SEED = 20  # ruin and recreate draws from a fixed seed: the plan is deterministic
RUIN_THRESHOLD = 0.02  # how much longer a plan ruin and recreate accepts, at first


def _ruin(rng: random.Random, p: RoutingProblem, routes: list[Route], kind: int) -> list[int]:
    """The stops to take out: a stop and its nearest neighbours, stops at random, or a
    whole van's route."""
    served = sorted(n for r in routes for n in r)
    size = rng.randint(2, max(2, min(RUIN_MAX, len(served) // 2)))
    if kind == 0:
        seed = rng.choice(served)
        return sorted(served, key=lambda n: (p.km[seed][n], n))[:size]
    if kind == 1:
        return rng.sample(served, size)
    used = [r for r in routes if r]
    return [n for r in rng.sample(used, min(len(used), rng.randint(2, 3))) for n in r]


def ruin_and_recreate(
    p: RoutingProblem, routes: list[Route], dropped: list[int], rounds: int
) -> tuple[list[Route], list[int], int]:
    """Take a few stops out (`_ruin`), put them and the unserved ones back (random order
    cheapest insertion, or regret), search locally. The result replaces the current plan
    when it serves as many and drives at most a shrinking threshold more (2% of the km
    at first, none at the end); the best plan seen is kept. A fixed seed keeps the plan
    deterministic. Returns the routes, the unserved stops and how many rounds found a
    new best."""
    rng = random.Random(RUIN_SEED)
    best = current = (plan_key(p, routes, dropped), routes, dropped)
    gains = 0
    for round_ in range(rounds):
        if sum(len(r) for r in current[1]) < 2:
            break
        victims = _ruin(rng, p, current[1], round_ % 3)
        trial = [[n for n in r if n not in victims] for r in current[1]]
        todo = [*victims, *current[2]]
        how = rng.random()
        if how < 0.4:
            rng.shuffle(todo)
            _, left = insert_all(p, trial, todo, heavy_first=False)
        elif how < 0.6:
            _, left = insert_all(p, trial, todo)
        else:
            left = insert_by_regret(p, trial, todo)
        trial, left = improve(p, trial, left)
        key = plan_key(p, trial, left)
        threshold = RUIN_THRESHOLD * (1 - round_ / rounds) * current[0][1]
        if key[0] < current[0][0] or (
            key[0] == current[0][0] and key[1] < current[0][1] + threshold
        ):
            current = (key, trial, left)
        if key < best[0]:
            best, gains = (key, trial, left), gains + 1
    return best[1], best[2], gains
