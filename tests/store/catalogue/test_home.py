import re

import pytest
from django.db import DatabaseError
from django.urls import reverse


def test_the_home_page_renders_in_the_site_layout(client):
    response = client.get(reverse("catalogue:home"))

    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["catalogue/home.html", "_base.html"]
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert '<main id="main"' in html
    assert "This week&rsquo;s music" in html
    assert 'href="/static/css/site.css"' in html


def test_the_home_page_loads_htmx(client):
    html = client.get(reverse("catalogue:home")).content.decode()

    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html


def test_the_home_page_sends_the_csrf_token_with_every_htmx_request(client):
    response = client.get(reverse("catalogue:home"))

    match = re.search(r"<body [^>]*hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'>", response.text)
    assert match, "no CSRF token in hx-headers on <body>"
    assert len(match.group(1)) == 64
    assert "csrftoken" in response.cookies


@pytest.mark.django_db(databases=["default", "sandbox"])
@pytest.mark.usefixtures("sandbox_for_store")
def test_the_home_page_links_only_to_pages_that_exist(client):
    html = client.get(reverse("catalogue:home")).content.decode()

    for href in re.findall(r'href="([^"#]+)"', html):
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_unavailable_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("config.views.connection.cursor", refuse)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_healthz_answers_only_safe_methods(client):
    assert client.post(reverse("healthz")).status_code == 405
