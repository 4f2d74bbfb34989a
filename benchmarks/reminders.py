"""Sending the daily reminders to a large organisation (a benchmark, not a
test; PostgreSQL only).

On benchmarks/appraisals.py's data set (10,000 people under 500 managers;
its open mid-year cycle), with every mid-year appraisal waiting for its
person's self-assessment, it runs `send_reminders` as cron would
(reminders.send_scheduled, then the outbox sent in process) through a real
SMTP server on 127.0.0.1 (aiosmtpd, counting what arrives), twice: first
with a tenth of the people due, then everyone. It prints, for each, the
mails, the seconds to plan and queue them, the seconds to send them, mails
per second, database queries per mail, and the resident memory before and
at its peak during each phase.

    .venv/bin/python benchmarks/reminders.py                 # 10,000 people
    .venv/bin/python benchmarks/reminders.py --people 1000   # a quick run
"""

import argparse
import importlib.util
import multiprocessing
import socket
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_appraisals_benchmark():
    # By path: its module name would be taken by the appraisals app.
    spec = importlib.util.spec_from_file_location(
        "bench_appraisals", ROOT / "benchmarks" / "appraisals.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reset_peak():
    """Start the process's peak resident size (VmHWM) again from now (Linux):
    building the data set in this process would hide the phase's."""
    Path("/proc/self/clear_refs").write_text("5")


def memory_mb(key):
    """VmRSS (now) or VmHWM (peak since reset_peak), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Counting:
    """An aiosmtpd handler that counts what arrives and keeps nothing."""

    def __init__(self, arrived):
        self.arrived = arrived  # a multiprocessing.Value

    async def handle_DATA(self, server, session, envelope):
        with self.arrived.get_lock():
            self.arrived.value += 1
        return "250 Message accepted for delivery"


def smtp_server(port, arrived, stop):
    """The SMTP server, in a process of its own: in this one, its thread
    and the sender would take turns at the interpreter's lock, and the
    figure would measure that."""
    from aiosmtpd.controller import Controller

    controller = Controller(Counting(arrived), hostname="127.0.0.1", port=port)
    controller.start()
    stop.wait()
    controller.stop()


class Queries:
    """Counts the database queries run while it is installed."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def phase(label, day, arrived):
    from django.db import connection

    from appraisals import reminders

    arrived.value = 0
    queries = Queries()
    before = memory_mb("VmRSS")
    reset_peak()
    with connection.execute_wrapper(queries):
        begun = time.perf_counter()
        queued = reminders.send_scheduled(day)
        planned = time.perf_counter()
        sent = reminders.deliver_all()
        done = time.perf_counter()
    plan_s, send_s = planned - begun, done - planned
    print(
        f"{label}: {queued:,} reminders queued in {plan_s:.1f} s, {sent:,} sent in "
        f"{send_s:.1f} s ({sent / send_s:.0f} mails/s; {queued / (done - begun):.0f}/s in all), "
        f"{arrived.value:,} arrived; {queries.count / max(queued, 1):.2f} queries per mail; "
        f"resident {before:.0f} MB before, peak {memory_mb('VmHWM'):.0f} MB",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="leave the scratch database")
    options = parser.parse_args()
    bench = load_appraisals_benchmark()
    server = bench.Server()
    database = f"{bench.PREFIX}{server.tag}_{options.people}"
    started = time.perf_counter()
    try:
        bench.open_data_set(server, database, options.people)
        measure(options)
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            server.drop(database)
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")


def measure(options):
    from django.conf import settings
    from django.utils import timezone

    from appraisals.models import Appraisal, Cycle, Stage
    from competency.models import OutboundMail

    sys.path.insert(0, str(ROOT))
    from tests.smtp import email_settings, free_port

    spawn = multiprocessing.get_context("spawn")
    arrived, stop, port = spawn.Value("i", 0), spawn.Event(), free_port()
    server = spawn.Process(target=smtp_server, args=(port, arrived, stop), daemon=True)
    server.start()
    _wait_for(port)
    email_settings(settings, port)
    settings.DEBUG = False
    try:
        cycle = Cycle.objects.get(status=Cycle.Status.OPEN)
        appraisals = Appraisal.objects.filter(cycle=cycle)
        # A tenth due first, then everyone: queries per mail should not grow.
        now = timezone.now()
        appraisals.update(stage=Stage.SIGNED_OFF, person_signed_at=now, manager_signed_at=now)
        tenth = appraisals.values_list("pk", flat=True)[: max(1, appraisals.count() // 10)]
        Appraisal.objects.filter(pk__in=list(tenth)).update(
            stage=Stage.SELF_ASSESSMENT, person_signed_at=None, manager_signed_at=None
        )
        phase("a tenth due", cycle.closes_on - timedelta(days=7), arrived)
        appraisals.update(
            stage=Stage.SELF_ASSESSMENT, person_signed_at=None, manager_signed_at=None
        )
        phase("everyone due", cycle.closes_on - timedelta(days=1), arrived)
        print(f"outbox: {OutboundMail.objects.filter(state='sent').count():,} sent")
    finally:
        stop.set()
        server.join(timeout=10)


def _wait_for(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the SMTP server did not start")


if __name__ == "__main__":
    main()
