"""Writes of the notification outbox.

- :mod:`.outbox` — :func:`notify` and :func:`notification_create` store a message in the
  caller's transaction and queue its sending after commit; :func:`notification_mark_read`;
- :mod:`.delivery` — :func:`notification_send`, run by the worker: one message, at most once.

Queuing (:func:`algoric.notifications.tasks.notification_enqueue`) and the sweeper that
queues again what the broker lost live with their task in ``algoric.notifications.tasks``.
"""

from .delivery import TRANSIENT_SEND_ERRORS, notification_send
from .outbox import notification_create, notification_mark_read, notify

__all__ = ["TRANSIENT_SEND_ERRORS", "notification_create", "notification_mark_read",
           "notification_send", "notify"]
