"""Tasks of the operations app."""

from celery import shared_task

from .health import heartbeat_write


@shared_task(name="algoric.operations.tasks.worker_heartbeat", ignore_result=True,
             acks_late=False)
def worker_heartbeat() -> float:
    """Write the worker heartbeat read by ``/healthz`` (beat runs it every minute).

    Idempotent: each run only overwrites one timestamp. Returns the time written.
    """
    return heartbeat_write()
