"""The embedded broker under load and with broken message files: kombu's filesystem transport let a worker read a
message file still being written and die ("Unrecoverable error: JSONDecodeError"); the centre's transport writes
atomically and sets aside what it cannot read."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest
from kombu import Connection

from certcenter.broker import SCHEME
from certcenter.config import Config
from tests.conftest import database_url_for_tests
from tests.workers import start_worker, stop_worker

TASK = "certcenter.certificates.tasks.sweep_render_queue"  # cheap, and it touches the database like real work


def folders(root: Path) -> dict[str, str]:
    names = {"data_folder_in": "queue", "data_folder_out": "queue", "control_folder": "control"}
    for name in names.values():
        (root / name).mkdir(parents=True, exist_ok=True)
    # polled often: a get() waits less than a poll interval (kombu's default: 1 s) only when the queue is empty
    return {option: str(root / name) for option, name in names.items()} | {"polling_interval": 0.05}


def test_many_producers_and_consumers_deliver_every_message_once(tmp_path):
    """Threads of one process and their own connections, all starting at once: each binds the queue, and no message
    is routed before the binding is on disk (kombu's in-memory note of it came first, and messages went nowhere)."""
    options = folders(tmp_path / "broker")
    sent, received, failures = 300, [], []
    produced = threading.Event()

    def produce(producer: int) -> None:
        with Connection(f"{SCHEME}://", transport_options=options) as connection:
            queue = connection.SimpleQueue("race")
            for number in range(sent):
                queue.put({"producer": producer, "number": number})

    def consume() -> None:
        try:
            with Connection(f"{SCHEME}://", transport_options=options) as connection:
                queue = connection.SimpleQueue("race")
                while True:
                    all_written = produced.is_set()
                    try:
                        message = queue.get(timeout=1)
                    except queue.Empty:
                        if all_written:
                            return  # everything was written before this wait began: the queue is drained
                        continue
                    received.append((message.payload["producer"], message.payload["number"]))
                    message.ack()
        except Exception as exc:  # kombu's transport: JSONDecodeError on a file not yet written
            failures.append(exc)

    producers = [threading.Thread(target=produce, args=(n,)) for n in range(3)]
    consumers = [threading.Thread(target=consume) for _ in range(3)]
    for thread in producers + consumers:
        thread.start()
    for thread in producers:
        thread.join()
    produced.set()
    for thread in consumers:
        thread.join()
    assert failures == []
    assert sorted(received) == [(p, n) for p in range(3) for n in range(sent)]  # each once, none lost
    assert os.listdir(options["data_folder_in"]) == []


def test_messages_are_taken_in_the_order_written(tmp_path):
    options = folders(tmp_path / "broker")
    with Connection(f"{SCHEME}://", transport_options=options) as connection:
        queue = connection.SimpleQueue("order")
        for number in range(50):
            queue.put({"number": number})
        assert [queue.get(timeout=1).payload["number"] for _ in range(50)] == list(range(50))


@pytest.mark.worker
def test_a_worker_survives_empty_and_truncated_message_files(make_app, tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setenv("CERTCENTER_INSTANCE_PATH", str(instance))
    sender = make_app(CELERY=Config.CELERY, REDIS_URL=None)  # queues to the embedded broker under `instance`
    log = tmp_path / "worker.log"
    worker = start_worker(log, database_url=database_url_for_tests(), name="broker")
    queue_folder = instance / "broker" / "queue"
    try:
        wait_for_log(log, "ready.", worker)
        celery = sender.extensions["celery"]

        def produce() -> None:
            for _ in range(40):
                celery.send_task(TASK)

        producers = [threading.Thread(target=produce) for _ in range(3)]
        for thread in producers:
            thread.start()
        # meanwhile, what kombu's transport died of: an empty file (a producer that has not written yet), a cut-off
        # one (a full disk), and one still empty but just created (a producer writing in place right now)
        old = time.time() - 60
        # in the queue TASK is routed to (the worker reads no "celery" queue; see certcenter/queues.py)
        for name, content in [("1_empty.maintenance.msg", b""), ("2_cut.maintenance.msg", b'{"body": "eyJ')]:
            (queue_folder / name).write_bytes(content)
            os.utime(queue_folder / name, (old, old))
        (queue_folder / "3_young.maintenance.msg").write_bytes(b"")
        for thread in producers:
            thread.join()
        for _ in range(40):
            celery.send_task(TASK)
        done = wait_for_log(log, TASK, worker, count=160)
        quarantine = instance / "broker" / "quarantine"
        deadline = time.monotonic() + 15  # the young file is looked at again for two seconds first
        while len(os.listdir(quarantine)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert worker.poll() is None
    finally:
        stop_worker(worker)
    text = log.read_text()
    assert "Unrecoverable error" not in text
    assert done == 160, text[-3000:]
    assert sorted(os.listdir(quarantine)) == [
        "1_empty.maintenance.msg",
        "2_cut.maintenance.msg",
        "3_young.maintenance.msg",
    ]
    assert text.count("unreadable message moved to quarantine") == 3
    assert os.listdir(queue_folder) == []


def wait_for_log(log: Path, marker: str, worker, count: int = 1, seconds: float = 90) -> int:
    """Wait until the worker has logged ``marker`` (for a task: finished ``count`` of them); the count reached."""
    deadline = time.monotonic() + seconds
    found = 0
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if marker == "ready.":
            found = text.count("ready.")
        else:
            found = len(set(re.findall(rf"{re.escape(marker)}\[([0-9a-f-]+)\] succeeded", text)))
        if found >= count:
            return found
        assert worker.poll() is None, f"the worker died:\n{text[-3000:]}"
        time.sleep(0.2)
    return found
