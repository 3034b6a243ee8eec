"""Internals of cresset.utils.data: collation, fetching, worker processes, shared memory."""
from cresset.utils.data._utils import collate, fetch, shared, worker  # noqa: F401

# Seconds between checks on worker liveness while the main process waits for a batch.
MP_STATUS_CHECK_INTERVAL = 0.2
