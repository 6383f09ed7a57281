"""The Redis broker transport, with one fix: a channel keeps the broker address after its connection closed.

Why: when Redis goes away while a late-acknowledged task is running, the worker's consumer collects the broken
connection (kombu `Connection.collect`), which detaches the transport from its connection (`transport.client =
None`) even when the channel's own close stopped half-way (it was inside a blocking read). The consumer then closes
the connection again; the channel's second close restores its unacknowledged messages, builds a new connection pool
from `transport.client.hostname` and raises `AttributeError: 'NoneType' object has no attribute 'hostname'`,
which is not a connection error, so the worker's main process stops ("Unrecoverable error") and nothing consumes the
queue any more. Reproduced with kombu 5.7.0 / celery 5.7.0 / redis-py 8.1 and a prefork worker
(tests/faults/test_redis_restart.py).

With the address kept, that close restores the messages to the broker when it is back (or fails with a connection
error, which kombu ignores, when it is still down), and acknowledgements of tasks that finish afterwards reach it.
"""

from __future__ import annotations

from kombu.transport import redis


class Channel(redis.Channel):
    def __init__(self, connection, *args, **kwargs):
        self._broker_conninfo = connection.client  # the kombu Connection (hostname, port, credentials)
        super().__init__(connection, *args, **kwargs)

    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport.client is None:
            transport.client = self._broker_conninfo  # closed meanwhile: build the pool from the address we had
            try:
                return super()._connparams(asynchronous=asynchronous)
            finally:
                transport.client = None
        return super()._connparams(asynchronous=asynchronous)


class Transport(redis.Transport):
    Channel = Channel
