"""Several callers at once, each in a thread of its own (so a database
connection of its own), for the tests of races between them."""

import threading

from django.db import connections


def in_threads(*calls):
    """Run each call in its own thread (its own database connection), all
    let go at once; return what each returned or raised."""
    start = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a thread never finished: a deadlock?"
    return outcomes
