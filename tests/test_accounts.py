"""Accounts (issue 16, item 4): sign up, log in and log out with email and password (Django's
auth and its password validators), and the anonymous session's history moving into the account
on either, so that it is kept across devices."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from samples import JOB, RESUME

from optimizer.models import Optimization, Resume

pytestmark = pytest.mark.django_db

PASSWORD = "cobalt-harbour-1987"


def _anonymous_work(client: Client) -> tuple[Optimization, Resume]:
    """What a visitor made before signing in: a base resume and an optimization."""
    response = client.post("/resumes/", {"name": "Jane backend base", "text": RESUME})
    assert response.status_code == 302
    resume = Resume.objects.get(name="Jane backend base")
    job = Optimization.objects.create(
        resume_text=RESUME,
        job_description=JOB,
        source="page",
        session_key=resume.session_key,
        base_resume=resume,
    )
    return job, resume


def _signup(client: Client, email: str = "Jane@Example.com", **data: str) -> Any:
    return client.post(
        "/account/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD, **data},
    )


def test_the_signup_and_login_pages_have_csrf_and_say_what_happens(client: Client) -> None:
    for url in ("/account/signup/", "/account/login/"):
        page = client.get(url)
        html = page.content.decode()
        assert page.status_code == 200
        assert 'name="csrfmiddlewaretoken"' in html and 'type="password"' in html
        assert "moves into" in html
    assert "at least 8 characters" in client.get("/account/signup/").content.decode()


def test_signing_up_moves_the_sessions_history_into_the_account(client: Client) -> None:
    job, resume = _anonymous_work(client)
    response = _signup(client)
    assert response.status_code == 302 and response.url == "/resumes/"
    user = User.objects.get()
    assert user.email == user.username == "jane@example.com"
    assert user.check_password(PASSWORD)
    job.refresh_from_db()
    resume.refresh_from_db()
    assert job.user == user and resume.user == user
    # The account shows them, here and on another device.
    assert "jane@example.com" in client.get("/resumes/").content.decode()
    other_device = Client()
    assert (
        other_device.post(
            "/account/login/", {"username": "JANE@example.com ", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert "Jane backend base" in other_device.get("/resumes/").content.decode()
    assert f"/optimize/{job.pk}/" in other_device.get("/history/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "taken@example.com"}, "An account with this email already exists"),
        ({"email": "TAKEN@example.com"}, "An account with this email already exists"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"email": "a" * 140 + "@example.com"}, "at most 150 characters"),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password1": "password123", "password2": "password123"}, "too common"),
        ({"password1": "4815162342", "password2": "4815162342"}, "entirely numeric"),
        (
            {
                "email": "averylongname@example.com",
                "password1": "averylongname",
                "password2": "averylongname",
            },
            "too similar to the",
        ),
        ({"password2": "something-else-2"}, "The two passwords differ."),
        ({"password1": "x" * 5000, "password2": "x" * 5000}, "at most 4096 characters"),
    ],
)
def test_signup_refuses_bad_input_with_a_clear_error(
    client: Client, data: dict[str, str], message: str
) -> None:
    User.objects.create_user("taken@example.com", "taken@example.com", "whatever-pw-1")
    job, _ = _anonymous_work(client)
    response = _signup(client, **({"email": "new@example.com"} | data))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert User.objects.count() == 1
    job.refresh_from_db()
    assert job.user is None  # nothing moved


def test_signup_needs_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    response = _signup(client)
    assert response.status_code == 403 and not User.objects.exists()


def test_logging_in_moves_the_sessions_history_and_a_bad_password_does_not(
    client: Client,
) -> None:
    user = User.objects.create_user("jane@example.com", "jane@example.com", PASSWORD)
    job, resume = _anonymous_work(client)
    bad = client.post("/account/login/", {"username": "jane@example.com", "password": "nope"})
    assert bad.status_code == 422
    assert "That email and password do not match an account." in bad.content.decode()
    job.refresh_from_db()
    assert job.user is None
    good = client.post(
        "/account/login/",
        {"username": "jane@example.com", "password": PASSWORD, "next": "/history/"},
    )
    assert good.status_code == 302 and good.url == "/history/"
    job.refresh_from_db()
    resume.refresh_from_db()
    assert job.user == user and resume.user == user


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_login_never_redirects_off_the_site(client: Client, target: str) -> None:
    User.objects.create_user("jane@example.com", "jane@example.com", PASSWORD)
    response = client.post(
        "/account/login/", {"username": "jane@example.com", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302 and response.url == "/resumes/"


def test_logging_out_is_a_post_and_leaves_the_history_in_the_account(client: Client) -> None:
    _anonymous_work(client)
    _signup(client)
    assert client.get("/account/logout/").status_code == 405
    response = client.post("/account/logout/")
    assert response.status_code == 302 and response.url == "/"
    html = client.get("/resumes/").content.decode()
    assert "Jane backend base" not in html and "Log in" in html
    assert Resume.objects.get().user is not None


def test_logging_in_as_someone_else_moves_nothing_of_the_first_account(client: Client) -> None:
    _anonymous_work(client)
    _signup(client, email="first@example.com")
    User.objects.create_user("second@example.com", "second@example.com", PASSWORD)
    client.post("/account/login/", {"username": "second@example.com", "password": PASSWORD})
    assert Resume.objects.get().user.email == "first@example.com"
    assert "Jane backend base" not in client.get("/resumes/").content.decode()


def test_every_page_says_who_is_signed_in(client: Client) -> None:
    _anonymous_work(client)
    _signup(client)
    job = Optimization.objects.get()
    for url in (
        "/",
        "/history/",
        "/resumes/",
        f"/resumes/{job.base_resume_id}/",
        f"/optimize/{job.pk}/",
        f"/optimize/{job.pk}/duplicate",
    ):
        html = client.get(url, HTTP_ACCEPT="text/html").content.decode()
        assert "jane@example.com" in html and "Log out" in html, url


def test_a_sign_up_that_loses_a_race_for_the_email_gets_the_taken_error(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optimizer import accounts

    # The check passed, then someone else took the email before the insert.
    def taken_meanwhile(self: accounts.SignUpForm) -> str:
        User.objects.create_user("jane@example.com", "jane@example.com", "pw-long-enough-1")
        return "jane@example.com"

    monkeypatch.setattr(accounts.SignUpForm, "clean_email", taken_meanwhile)
    response = _signup(client)
    assert response.status_code == 422
    assert "An account with this email already exists" in response.content.decode()
    assert User.objects.count() == 1
