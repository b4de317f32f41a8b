"""Which failures are worth retrying: transient I/O only, never data errors."""
from __future__ import annotations

import errno

# Kinds of OSError that a later attempt can plausibly get past (busy or flaky storage, network
# file systems, descriptor exhaustion). Missing files, permissions and full disks are not here:
# retrying them only delays the same failure.
TRANSIENT_ERRNOS = frozenset({
    errno.EAGAIN, errno.EBUSY, errno.EINTR, errno.EIO, errno.ETIMEDOUT, errno.ESTALE,
    errno.ENETDOWN, errno.ENETUNREACH, errno.ECONNRESET, errno.ECONNABORTED, errno.EHOSTUNREACH,
    errno.EMFILE, errno.ENFILE, errno.ENOLCK,
})

RETRIES = 3
RETRY_DELAYS = [1.0, 2.0, 4.0]  # exponential backoff; Prefect adds the jitter
# (a plain list, so that importing this module does not import Prefect)
RETRY_JITTER = 0.2


def is_transient(exc: BaseException | None) -> bool:
    if isinstance(exc, (TimeoutError, InterruptedError)):
        return True
    return isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS


def retry_on_transient(task, task_run, state) -> bool:
    """Prefect retry_condition_fn: go on to the retry policy only for a transient I/O error."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the failed state re-raises whatever the task raised
        return is_transient(exc)
    return False


TRANSIENT_RETRY = {"retries": RETRIES, "retry_delay_seconds": RETRY_DELAYS,
                   "retry_jitter_factor": RETRY_JITTER, "retry_condition_fn": retry_on_transient}
