from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Courses, sessions, events and course accounts: the layer above ``projects``."""

    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # Imported here: these modules import the models, which need the app registry
        # ready (Django's app loading).
        from algoric.core import registries
        from algoric.core.page_cache import register_public_content
        from algoric.notifications.models import NotificationCategory as Category

        from .demo import demo_training
        from .models import Course, Event, Registration, Session
        from .selectors.numbers import training_report_section
        from .selectors.personal_data import registrations_of_user
        from .selectors.slurm import training_slurm_members

        registries.register_slurm_extra_members(training_slurm_members)
        registries.register_centre_report_section("training", training_report_section)
        registries.register_demo_builder("training", demo_training, order=40)
        registries.register_personal_data("training_registrations", registrations_of_user)
        # Notifications: a seat that frees up and the reminder of the day before cannot wait
        # for a weekly digest; the rest follows the person's choice for training.
        registries.register_notification_events(Category.TRAINING, events=[
            "training_registration_confirmed", "training_registration_waiting",
            "training_registration_cancelled", "training_feedback_request",
        ], mandatory=["training_registration_promoted", "training_session_reminder"])

        # The agenda's pages are served again at once: entries, and the seats left.
        for model in (Course, Session, Event, Registration):
            register_public_content(model, "agenda")
