"""The embedded broker: kombu's filesystem transport, made safe for several processes sharing one queue folder.

Kombu's own transport writes a message straight into the queue folder, so a consumer listing the folder can take a
file that is still empty or half-written; its JSON does not parse and the worker dies ("Unrecoverable error:
JSONDecodeError"). Here a producer writes each message under a name no consumer looks at and renames it into place
(a rename is atomic), and a consumer that still meets a file it cannot read (written by another program, or cut
short by a full disk) leaves it for a moment in case a writer is still at it, then moves it to a quarantine folder
and logs it, instead of raising.

The exchange tables (which queue a routing key goes to) are written the same way, under a lock: kombu's own
transport creates the table file empty before it writes it, so a process starting at the same moment read "" and
died of JSONDecodeError, and two processes binding at once could each write a table without the other's queue.
Within one process, kombu notes a binding in memory before it writes the table, so a second thread publishing at
that moment skipped binding, read a table without the queue, and its message went nowhere (kombu drops a message no
queue is bound for): binding is one step per process here.

A consumer claims a message by renaming it into a folder of its own on the same file system (``claimed_folder``):
of two consumers only one rename succeeds, and nothing is copied across file systems (kombu moves it to /tmp).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
import uuid
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

SCHEME = "certcenter-fs"
PARTIAL_SUFFIX = ".part"  # "<time>_<uuid>.<queue>.msg.part" never matches "<queue>.msg"
# An unreadable file younger than this may still be being written by a producer that writes in place.
UNREADABLE_GRACE_SECONDS = 2.0

logger = logging.getLogger(__name__)
_binding = threading.Lock()


class Channel(filesystem.Channel):
    @cached_property
    def claimed_folder(self) -> str:
        return self._folder("claimed_folder", "claimed")

    @cached_property
    def quarantine_folder(self) -> str:
        return self._folder("quarantine_folder", "quarantine")

    def _folder(self, option: str, default_name: str) -> str:
        folder = self.transport_options.get(option) or os.path.join(
            os.path.dirname(os.path.abspath(self.data_folder_in)), default_name
        )
        os.makedirs(folder, exist_ok=True)
        return folder

    def queue_bind(self, *args: object, **kwargs: object) -> None:
        with _binding:  # the in-memory note and the table on disk, together
            super().queue_bind(*args, **kwargs)

    def get_table(self, exchange: str) -> list:
        return self._read_table(self._exchange_file(exchange))

    def _read_table(self, file) -> list:
        try:
            content = file.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc
        try:
            return [filesystem.exchange_queue_t(*entry) for entry in loads(bytes_to_str(content))]
        except (TypeError, ValueError) as exc:
            raise ChannelError(f"Unreadable exchange table {file}") from exc

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(parents=True, exist_ok=True)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        try:
            with open(self.control_folder / "bindings.lock", "ab") as guard:
                fcntl.flock(guard.fileno(), fcntl.LOCK_EX)  # one writer at a time: no binding is lost
                table = self._read_table(file)
                if entry in table:
                    return
                partial = file.with_name(f"{file.name}.{uuid.uuid4()}{PARTIAL_SUFFIX}")
                partial.write_bytes(str_to_bytes(dumps([entry, *table])))
                os.replace(partial, file)  # readers see the old table or the new one, never a part
        except OSError as exc:
            raise ChannelError(f"Cannot write {file}") from exc

    def _put(self, queue: str, payload: dict, **kwargs: object) -> None:
        # nanoseconds, padded: the names sort in the order written (kombu's milliseconds tie within a batch)
        name = f"{time.monotonic_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.rename(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise ChannelError(f"Cannot add file {final!r} to the queue") from exc

    def _get(self, queue: str) -> dict:
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            source = os.path.join(self.data_folder_in, name)
            claimed = os.path.join(self.claimed_folder, name)
            try:
                os.rename(source, claimed)
            except OSError:
                continue  # another consumer took it first
            payload = self._read_claimed(claimed, source)
            if payload is not None:
                return payload
        raise Empty()

    def _read_claimed(self, claimed: str, source: str) -> dict | None:
        """The message of a claimed file, which is then removed; None if it cannot be read (then it goes back to
        the queue while it is young, else to the quarantine folder)."""
        try:
            young = time.time() - os.stat(claimed).st_mtime < UNREADABLE_GRACE_SECONDS
        except OSError:
            return None  # removed under our feet: nothing to deliver
        try:
            with open(claimed, "rb") as file:
                fcntl.flock(file.fileno(), fcntl.LOCK_SH)  # waits for a producer that writes in place under a lock
                content = file.read()
            payload = loads(bytes_to_str(content))
            if not isinstance(payload, dict):
                raise ValueError("a message is a JSON object")
        except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            self._set_aside(claimed, source, young=young, error=exc)
            return None
        if self.store_processed:
            os.replace(claimed, os.path.join(self.processed_folder, os.path.basename(claimed)))
        else:
            os.unlink(claimed)
        return payload

    def _set_aside(self, claimed: str, source: str, *, young: bool, error: Exception) -> None:
        try:
            if young:
                os.rename(claimed, source)  # a producer may still be writing it: look again at the next poll
                return
            target = os.path.join(self.quarantine_folder, os.path.basename(claimed))
            os.replace(claimed, target)
        except OSError:
            logger.exception("embedded broker: cannot set aside the unreadable message %s", claimed)
            return
        logger.error(
            "embedded broker: unreadable message moved to quarantine: %s (%s: %s)",
            target,
            type(error).__name__,
            str(error)[:200],
        )


class Transport(filesystem.Transport):
    Channel = Channel
    driver_type = "filesystem"
    driver_name = SCHEME


TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")
