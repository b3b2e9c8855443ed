"""Who owns what, and the accounts that keep it across devices (issue 16, item 4).

A person's optimizations, letters, base resumes and tracker entries belong to their account once
they are signed in, else to their browser session. `owner()` says who is asking, `Owner.rows()`
narrows a queryset to what they own, and `owned()` fetches one row or answers 404: every page
and download goes through these three, so there is one rule to get right. Staff may open any
row (support), but their lists show their own rows only.

Signing up or logging in moves the anonymous session's rows into the account
(`adopt_session_rows`): Django's login() gives the session a new key, so without the move they
would be orphaned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from optimizer.models import Batch, Optimization, Resume

M = TypeVar("M", bound=Model)
# Django's User.username holds the email (lower-cased), so it is capped at its 150 characters.
EMAIL_MAX_CHARS = 150
PASSWORD_MAX_CHARS = 4096  # Django's own cap for hashing, said up front instead of failing late


# -- ownership ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """Who is asking: a signed-in user (user_id), else a browser session (session_key)."""

    user_id: int | None
    session_key: str
    is_staff: bool = False

    def rows(self, queryset: QuerySet[M], via: str = "") -> QuerySet[M]:
        """The rows of `queryset` this owner owns; `via` is the path to the row that holds the
        owner ("optimization__" for a tracker entry)."""
        if self.user_id is not None:
            return queryset.filter(**{f"{via}user_id": self.user_id})
        if self.session_key:
            return queryset.filter(**{f"{via}user": None, f"{via}session_key": self.session_key})
        return queryset.none()

    def owns(self, row: Any) -> bool:
        """Whether this owner owns `row` (anything with user_id and session_key)."""
        if self.user_id is not None:
            return bool(row.user_id == self.user_id)
        return (
            bool(self.session_key) and row.user_id is None and row.session_key == self.session_key
        )

    def stamp(self) -> dict[str, Any]:
        """The owner fields of a new row."""
        return {"user_id": self.user_id, "session_key": self.session_key}


async def session_key(request: HttpRequest, *, create: bool = False) -> str:
    """The browser session's key, loaded from the store (a forged cookie gives no key)."""
    session = request.session
    await session.aget("owner")  # loads the session; an unknown key is dropped here
    if session.session_key is None and create:
        await session.aset("owner", True)
        await session.asave()
    return session.session_key or ""


async def owner(request: HttpRequest, *, create: bool = False) -> Owner:
    """Who is asking. `create`: give an anonymous visitor a session to own what they make."""
    user = await request.auser()
    # The resolved user replaces the lazy one, so that templates rendered by async views can
    # read request.user (the lazy one would query the database from the event loop).
    request.user = user
    key = await session_key(request, create=create)
    if user.is_authenticated:
        return Owner(user_id=user.pk, session_key=key, is_staff=user.is_active and user.is_staff)
    return Owner(user_id=None, session_key=key)


async def owned(request: HttpRequest, queryset: QuerySet[M], pk: Any, via: str = "") -> M:
    """The row with this pk when the asker owns it (or is staff); 404 for everyone else, the
    same answer as for a missing row: never confirm that someone else's resume exists."""
    try:
        if via:  # the owner's row comes in the same query
            queryset = queryset.select_related(via.removesuffix("__"))
        row = await queryset.aget(pk=pk)
    except (ObjectDoesNotExist, ValidationError, ValueError):
        raise Http404("Not found") from None
    who = await owner(request)
    holder = _follow(row, via)
    if who.owns(holder) or who.is_staff:
        return row
    raise Http404("Not found")


def _follow(row: Any, via: str) -> Any:
    for name in filter(None, via.split("__")):
        row = getattr(row, name)
    return row


def same_owner_as(row: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The rows of `queryset` with the same owner as `row` (a letter list under a job that a
    staff member may be viewing: the job's owner's letters, never the viewer's)."""
    return Owner(user_id=row.user_id, session_key=row.session_key).rows(queryset)


def adopt_session_rows(key: str, user: AbstractBaseUser | AnonymousUser) -> int:
    """Move an anonymous session's rows into the account; returns how many moved."""
    if not key or not user.is_authenticated:
        return 0
    anonymous = Q(user=None, session_key=key)
    with transaction.atomic():
        moved = Optimization.objects.filter(anonymous).update(user=user)
        moved += Resume.objects.filter(anonymous).update(user=user)
        Batch.objects.filter(anonymous).update(user=user)
    return moved


# -- sign up, log in, log out --------------------------------------------------------------------


class SignUpForm(forms.Form):
    email = forms.EmailField(
        max_length=EMAIL_MAX_CHARS, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_CHARS,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        max_length=PASSWORD_MAX_CHARS,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
            raise ValidationError(
                "An account with this email already exists: log in instead.", code="taken"
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first and "email" in data:
            try:  # Django's validators (AUTH_PASSWORD_VALIDATORS), told who the user will be
                validate_password(first, User(username=data["email"], email=data["email"]))
            except ValidationError as problem:
                self.add_error("password1", problem)
        return data

    def save(self) -> User:
        email = self.cleaned_data["email"]
        return User.objects.create_user(
            username=email, email=email, password=self.cleaned_data["password1"]
        )


class LoginForm(AuthenticationForm):
    """Django's login form with the email as the user name (it is stored lower-cased)."""

    username = forms.EmailField(
        label="Email",
        max_length=EMAIL_MAX_CHARS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account.",
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: a `next` on this site, else the resumes page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else reverse("resumes")


def _sign_in(request: HttpRequest, user: User) -> None:
    anonymous_key = request.session.session_key or ""
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    adopt_session_rows(anonymous_key, user)


# Sync views on purpose: hashing a password is CPU work that must not run on the event loop.
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(_next_url(request))
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:  # the same email signed up at the same moment: the first wins
            form.add_error("email", "An account with this email already exists: log in instead.")
        else:
            _sign_in(request, user)
            return HttpResponseRedirect(_next_url(request))
    status = 422 if request.method == "POST" else 200
    return render(
        request, "optimizer/account.html", _context(request, form, "signup"), status=status
    )


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return HttpResponseRedirect(_next_url(request))
    form = LoginForm(request, request.POST if request.method == "POST" else None)
    if form.is_valid():
        _sign_in(request, form.get_user())
        return HttpResponseRedirect(_next_url(request))
    status = 422 if request.method == "POST" else 200
    return render(
        request, "optimizer/account.html", _context(request, form, "login"), status=status
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    # A POST only (CSRF-checked): a GET link could sign someone out from another site.
    auth.logout(request)
    return HttpResponseRedirect(reverse("home"))


def _context(request: HttpRequest, form: forms.Form, mode: str) -> dict[str, Any]:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return {"form": form, "mode": mode, "next": target if safe else ""}
