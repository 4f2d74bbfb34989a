"""Several callers at once, each in a thread of its own (so a database
connection of its own), for the tests of races between them."""

import threading
import time

from django.db import connection, connections


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


def wait_until_someone_waits_for_a_lock():
    """Until another connection is blocked on a row lock (at most 10 s)."""
    for _ in range(200):
        with connection.cursor() as cursor:
            # Statistics are a snapshot per transaction unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("nobody waited for the lock")
