import os

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("ci", deadline=None)
hypothesis_settings.load_profile("ci")


class TwoFactorClient(Client):
    """The test client, whose ``force_login`` also passes the second factor.

    Every page needs two-factor authentication; tests of other pages sign in with
    ``client.force_login(user)`` and get a session verified with a confirmed TOTP device, as if the
    user had entered the code. The two-factor pages themselves are tested with
    ``unverified_client``.
    """

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        super().force_login(user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Test device", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture
def client():
    """pytest-django's ``client``, signed in past the second factor by ``force_login``."""
    return TwoFactorClient()


@pytest.fixture
def unverified_client():
    """A plain test client: ``force_login`` signs in with the password step only."""
    return Client()


@pytest.fixture
def write_csv(tmp_path):
    """Write a CSV file from a header and rows of text; returns its path."""

    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text.strip() + "\n", encoding="utf-8")
        return path

    return write


os.environ.setdefault("ATTEND_TESTING", "1")
