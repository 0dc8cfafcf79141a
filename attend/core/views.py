"""What every page view shares: the one place where an out-of-scope object becomes a 404.

Selectors and services raise :class:`~attend.core.exceptions.NotFoundOrForbidden` for an object
that is missing or outside the actor's scope; :func:`scoped_view` turns it into ``Http404`` so a
page never says which of the two it was (STYLE.md points 4 and 5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.http import Http404, HttpRequest, HttpResponse

from attend.accounts.models import User
from attend.core.exceptions import NotFoundOrForbidden

P = ParamSpec("P")


def scoped_view(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Wrap a page view: ``NotFoundOrForbidden`` anywhere inside it is a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrForbidden as exc:
            raise Http404 from exc

    return wrapper


def actor_of(request: HttpRequest) -> User:
    """The signed-in user (LoginRequiredMiddleware guarantees one on every page but sign-in)."""
    user: Any = request.user
    if not isinstance(user, User):
        raise NotFoundOrForbidden
    return user


@dataclass(frozen=True)
class ErrorItem:
    """One line of a GOV.UK error summary: the message and the field it links to."""

    href: str
    message: str
