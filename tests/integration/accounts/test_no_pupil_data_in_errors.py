"""Error pages and logs show nothing from the request: no query strings, no exception text."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.urls import path

from attend.accounts.logging import NoRequestData
from config.urls import urlpatterns as site_urls
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NAME = "Okafor"


def boom(request, status: int):
    """A view that fails, with pupil data in the exception, as a bug might."""
    error = {400: BadRequest, 403: PermissionDenied}.get(status, RuntimeError)
    raise error(f"Amara {NAME} broke it")


urlpatterns = [path("boom/<int:status>/", boom), *site_urls]


@pytest.fixture
def signed_in(client):
    client.force_login(MembershipFactory(role="teacher").user)
    return client


def test_a_404_page_shows_nothing_from_the_request(signed_in, caplog):
    response = signed_in.get(f"/pupils/{NAME}/?surname={NAME}&forename=Amara")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "govuk-heading-l" in html
    assert NAME not in html and "Amara" not in html and "/pupils/" not in html
    logged = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert logged == [f"Not Found: /pupils/{NAME}/"]  # the path only: no query string


def test_a_500_page_shows_nothing_from_the_request(signed_in, settings, caplog):
    settings.ROOT_URLCONF = __name__
    signed_in.raise_request_exception = False
    response = signed_in.get(f"/boom/500/?surname={NAME}")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert NAME not in html and "Amara" not in html and "boom" not in html
    assert "RuntimeError" not in html
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.getMessage() == "Internal Server Error: /boom/500/"
    assert not hasattr(record, "request")


@pytest.mark.parametrize("status", [400, 403])
def test_400_and_403_pages_are_generic(signed_in, settings, status):
    settings.ROOT_URLCONF = __name__
    response = signed_in.get(f"/boom/{status}/?surname={NAME}")
    assert response.status_code == status
    html = response.content.decode()
    assert "govuk-heading-l" in html
    assert NAME not in html and "Amara" not in html and "boom" not in html


def test_the_runserver_log_loses_query_strings():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /pupils/3/register/?name=Amara+{NAME} HTTP/1.1", "200", "512"),
        None,
    )
    assert NoRequestData().filter(record)
    assert record.getMessage() == '"GET /pupils/3/register/ HTTP/1.1" 200 512'
