"""The demo command of the README's first command."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from members.models import FeeSchedule, User

pytestmark = pytest.mark.django_db


def test_demo_data_refuses_without_debug():
    with pytest.raises(CommandError):
        call_command("demo_data")
    assert not User.objects.exists()


@override_settings(DEBUG=True)
def test_demo_data_is_idempotent_and_prints_logins(capsys):
    call_command("demo_data")
    call_command("demo_data")
    out = capsys.readouterr().out
    assert "staff@demo.algoric.org" in out and "member@demo.algoric.org" in out
    assert User.objects.count() == 2
    staff = User.objects.get(email="staff@demo.algoric.org")
    assert staff.is_staff and staff.check_password("demo-staff-Penn-Ar-Bed-2026")
    assert FeeSchedule.objects.count() == 6
    from resources.models import Resource

    assert Resource.objects.count() == 3
