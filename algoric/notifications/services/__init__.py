"""Writes of the notification outbox.

- :mod:`.outbox` — :func:`notify` and :func:`notification_create` store a message in the
  caller's transaction and queue its sending after commit; :func:`notification_mark_read`;
- :mod:`.store` — rendering and storing a message without queuing it; a message of a
  category its recipient receives as a weekly digest is stored ``held``;
- :mod:`.delivery` — :func:`notification_send`, run by the worker: one message, at most once;
- :mod:`.digest` — :func:`notification_digests_build`: each person's weekly digest of the
  held messages (run by the beat task, which queues the digests);
- :mod:`.preferences` — :func:`notification_preferences_set`: each person's choice per
  category.

Queuing (:func:`algoric.notifications.tasks.notification_enqueue`) and the sweeper that
queues again what the broker lost live with their task in ``algoric.notifications.tasks``.
"""

from .delivery import TRANSIENT_SEND_ERRORS, notification_send
from .digest import notification_digest_build, notification_digests_build
from .outbox import notification_create, notification_mark_read, notify
from .preferences import notification_preferences_delete, notification_preferences_set

__all__ = ["TRANSIENT_SEND_ERRORS", "notification_create", "notification_digest_build",
           "notification_digests_build", "notification_mark_read",
           "notification_preferences_delete", "notification_preferences_set",
           "notification_send", "notify"]
