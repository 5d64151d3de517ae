"""The app's shared cache of public answers (core.shared_cache), alone and in front of Django.

With a counting WSGI app: what is kept, for how long, under which key, and what never is. With
the project's WSGI application (shinchoku.wsgi): a citizen's published page asked for again does
not enter Django, staff always do, and publishing a new revision shows at once in this process.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.signals import request_started

from shinchoku.core import shared_cache
from shinchoku.core.audit import Actor
from shinchoku.core.shared_cache import SharedCache
from shinchoku.goals.models import GoalDeclaration
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import goal_declaration_publish

PUBLIC = [("Content-Type", "text/html"), ("Cache-Control", "public, max-age=300"), ("ETag", '"abc"')]


class Counting:
    def __init__(self, headers: list[tuple[str, str]] | None = None, status: str = "200 OK") -> None:
        self.calls = 0
        self.headers = headers if headers is not None else PUBLIC
        self.status = status

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        start_response(self.status, list(self.headers))
        return [f"answer {self.calls}".encode()]


def environ(path: str = "/p/midori/", method: str = "GET", **headers: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        **headers,
    }


def call(app: Any, env: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app(env, start_response))
    return seen["status"], seen["headers"], body


def test_a_public_answer_is_given_again_without_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(shared_cache.time, "monotonic", lambda: now[0])
    app = Counting()
    cache = SharedCache(app, seconds=5, session_cookie="sessionid")
    assert call(cache, environ())[2] == b"answer 1"
    now[0] += 4.9
    status, headers, body = call(cache, environ())
    assert (status, body, app.calls) == ("200 OK", b"answer 1", 1)
    assert headers["ETag"] == '"abc"'
    # HEAD is answered from the kept GET, without a body.
    assert call(cache, environ(method="HEAD"))[2] == b"" and app.calls == 1
    # After the time allowed, the app is asked again.
    now[0] += 0.2
    assert call(cache, environ())[2] == b"answer 2"


def test_the_key_holds_what_the_answer_depends_on() -> None:
    app = Counting()
    cache = SharedCache(app, seconds=5, session_cookie="sessionid")
    variants = [
        environ(),
        environ(HTTP_ACCEPT_LANGUAGE="en"),
        environ(HTTP_COOKIE="django_language=en"),
        environ(HTTP_HOST="evil.example"),
        environ(HTTP_X_FORWARDED_PROTO="https"),
        environ(path="/p/midori/summary/"),
        {**environ(), "QUERY_STRING": "q=1"},
    ]
    for number, variant in enumerate(variants, start=1):
        assert call(cache, variant)[2] == f"answer {number}".encode()
    for number, variant in enumerate(variants, start=1):
        assert call(cache, variant)[2] == f"answer {number}".encode()
    assert app.calls == len(variants)


@pytest.mark.parametrize(
    ("request_env", "headers", "status"),
    [
        (environ(HTTP_COOKIE="csrftoken=x; sessionid=abc"), PUBLIC, "200 OK"),  # staff
        (environ(HTTP_COOKIE="messages=abc"), PUBLIC, "200 OK"),  # a message waits
        (environ(HTTP_AUTHORIZATION="Bearer t"), PUBLIC, "200 OK"),
        (environ(method="POST"), PUBLIC, "200 OK"),
        (environ(method="HEAD"), PUBLIC, "200 OK"),  # no body to keep
        (environ(), [("Cache-Control", "private, max-age=300")], "200 OK"),
        (environ(), [("Cache-Control", "public, no-cache")], "200 OK"),
        (environ(), [], "200 OK"),
        (environ(), [*PUBLIC, ("Set-Cookie", "csrftoken=x")], "200 OK"),
        (environ(), PUBLIC, "404 Not Found"),
        (environ(), [("Cache-Control", "public, max-age=0")], "200 OK"),
    ],
)
def test_what_is_never_kept(request_env: dict[str, Any], headers: list[tuple[str, str]], status: str) -> None:
    app = Counting(headers, status)
    cache = SharedCache(app, seconds=5, session_cookie="sessionid")
    call(cache, dict(request_env))
    call(cache, dict(request_env))
    assert app.calls == 2


def test_a_conditional_request_is_answered_304() -> None:
    app = Counting([*PUBLIC, ("Content-Length", "8")])
    cache = SharedCache(app, seconds=5, session_cookie="sessionid")
    call(cache, environ())
    status, headers, body = call(cache, environ(HTTP_IF_NONE_MATCH='"abc"'))
    assert (status, body, app.calls) == ("304 Not Modified", b"", 1)
    assert headers["ETag"] == '"abc"' and "Content-Length" not in headers and "Content-Type" not in headers
    assert call(cache, environ(HTTP_IF_NONE_MATCH='"other"'))[0] == "200 OK"


def test_turned_off_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Counting()
    off = SharedCache(app, seconds=0, session_cookie="sessionid")
    call(off, environ())
    call(off, environ())
    assert app.calls == 2
    monkeypatch.setattr(shared_cache, "MAX_ENTRIES", 3)
    bounded = SharedCache(Counting(), seconds=5, session_cookie="sessionid")
    for number in range(10):
        call(bounded, environ(path=f"/p/midori/reports/{number}/"))
    assert len(bounded.kept) == 3 and bounded.size == sum(len(k.body) for k in bounded.kept.values())


@pytest.fixture
def wsgi_app() -> Any:
    from shinchoku.wsgi import application

    application.clear()
    yield application
    application.clear()


@pytest.fixture
def django_requests() -> Iterable[list[object]]:
    started: list[object] = []

    def count(**kwargs: Any) -> None:
        started.append(kwargs)

    request_started.connect(count)
    yield started
    request_started.disconnect(count)


@pytest.mark.django_db(transaction=True)
def test_the_project_application_in_front_of_django(
    wsgi_app: Any, django_requests: list[object], published: dict[str, Publication], actor: Actor
) -> None:
    first = published["goals"]
    page = f"/p/midori/reports/{first.pk}/"
    status, headers, body = call(wsgi_app, environ(page))
    assert status == "200 OK" and headers["Cache-Control"] == "public, max-age=300"
    assert len(django_requests) == 1
    assert call(wsgi_app, environ(page))[2] == body
    assert call(wsgi_app, environ(f"{page}download.pdf"))[2].startswith(b"%PDF")
    assert call(wsgi_app, environ(f"{page}download.pdf"))[2].startswith(b"%PDF")
    assert len(django_requests) == 2, "a published page or file asked again never enters Django"

    # Staff always reach Django: their page carries their name.
    call(wsgi_app, environ(page, HTTP_COOKIE="sessionid=whatever"))
    call(wsgi_app, environ(page, HTTP_COOKIE="sessionid=whatever"))
    assert len(django_requests) == 4

    # A new revision published in this process shows at once.
    index = call(wsgi_app, environ("/p/midori/"))[2].decode()
    assert page in index
    declaration = GoalDeclaration.objects.get()
    goal = declaration.goals.order_by("number").first()
    assert goal is not None
    goal.status_text += "（追記）"
    goal.save(update_fields=["status_text"])
    second = goal_declaration_publish(declaration=declaration, actor=actor)
    index = call(wsgi_app, environ("/p/midori/"))[2].decode()
    assert f"/p/midori/reports/{second.pk}/" in index and page not in index
    assert f'href="/p/midori/reports/{second.pk}/"' in call(wsgi_app, environ(page))[2].decode()
