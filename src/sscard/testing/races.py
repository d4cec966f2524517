"""Firing competing API calls at once from several threads (PostgreSQL race tests).

Each thread has its own test client and database connection; a barrier releases them together
(``staggered``: each call then waits its own delay first, and every answer carries how long it took).
"""

import threading
import time
from dataclasses import dataclass

from django.db import connection

from sscard.testing import factories as f


@dataclass
class Answer:
    who: int
    status: int
    body: dict
    content: bytes
    replay: bool
    seconds: float = 0.0  # from sending the call to its answer


def race(*calls) -> list[Answer]:
    """Run each ``(token, path, body, headers)`` in its own thread, all released at once."""
    return staggered(*[(0.0, *call) for call in calls])


def staggered(*calls) -> list[Answer]:
    """Run each ``(delay, token, path, body, headers)`` in its own thread: all released at once, each sent
    ``delay`` seconds after the release."""
    barrier = threading.Barrier(len(calls))
    answers: list[Answer] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(who, delay, token, path, body, headers):
        try:
            api = f.ApiClient(token)
            barrier.wait(30)
            if delay:
                time.sleep(delay)
            started = time.monotonic()
            resp = api.post(path, body, headers=headers)
            answer = Answer(who, resp.status_code, resp.json(), resp.content,
                            resp.get("Idempotent-Replay") == "true", time.monotonic() - started)
            with lock:
                answers.append(answer)
        except Exception as exc:  # noqa: BLE001 - surfaced in the test thread below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a racing request hung"
    assert not errors, errors
    return sorted(answers, key=lambda a: a.who)


