"""Log-ins: each dialect's log-in endpoint (from its descriptor) with the body it takes and
where its answer carries the token, and the headers a credential is presented in."""
import uuid

from nimbus_test import dialects
from nimbus_test.env import ADMIN_PASSWORD, ADMIN_USER
from nimbus_test.http import post


# A log-in request body for (user, password) and the token in the answer, per credential kind.
# A new dialect with a log-in adds its entry here; its path comes from the descriptor.
def _nano_body(user, password):
    return {"user": user, "password": password, "nonce": uuid.uuid4().hex}


def _waldur_body(user, password):
    return {"username": user, "password": password}


def _astakos_body(user, password):
    return {"auth": {"passwordCredentials": {"username": user, "password": password}}}


def _keystone_body(user, password):
    return {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "domain": {"id": "default"}, "password": password}}}}}


def _danube_body(user, password):
    return {"username": user, "password": password}


_FORMS = {
    "nano": (_nano_body, lambda r: r.json()["data"]["session"]),
    "waldur": (_waldur_body, lambda r: r.json()["token"]),
    "astakos": (_astakos_body, lambda r: r.json()["access"]["token"]["id"]),
    "keystone": (_keystone_body, lambda r: r.headers["X-Subject-Token"]),
    "danube": (_danube_body, lambda r: r.json()["token"]),
}


def _logins():
    out = {}
    for d in dialects.with_login():
        kind = d["credential_kind"]
        assert kind in _FORMS, "no log-in body for %s in nimbus_test/logins.py" % kind
        out[kind] = (d["login"],) + _FORMS[kind]
    return out


# kind → (path, body(user, password), token(response)), in dialect order.
LOGIN = _logins()
DIALECTS = tuple(LOGIN)


def login_response(dialect, user=None, password=None, **kw):
    """POST the dialect's log-in request; return the raw response."""
    path, body, _ = LOGIN[dialect]
    return post(path, json=body(ADMIN_USER if user is None else user,
                                ADMIN_PASSWORD if password is None else password), **kw)


def login_ok(r, dialect):
    if dialect == "nano":
        return r.status_code == 200 and r.json().get("error_code") == 0
    if dialect == "keystone":
        return r.status_code == 201
    return r.status_code == 200


def do_login(dialect, user=None, password=None):
    """Log in through one dialect's endpoint and return the credential it issued."""
    r = login_response(dialect, user, password)
    assert login_ok(r, dialect), "%s log-in failed: %s %s" % (dialect, r.status_code, r.text)
    return LOGIN[dialect][2](r)


def _style(h):
    """A credential header's short name: its scheme ("token", "bearer"), else the header's name
    without its last word ("nano" for Nano-Session, "x-auth" for X-Auth-Token)."""
    if h["scheme"]:
        return h["scheme"].lower()
    return h["name"].rsplit("-", 1)[0].lower()


def _headers():
    out = {}
    for d in dialects.load():
        for h in d["credential_headers"]:
            out.setdefault(_style(h), h)
    return out


# Every credential header any dialect names, by style ("nano", "token", "x-auth", "bearer").
HEADERS = _headers()
# The style of each credential kind's own (first) header.
STYLE = {d["credential_kind"]: _style(d["credential_headers"][0]) for d in dialects.with_login()}


def auth_headers(style, token):
    """A credential in one of the dialects' headers (a style of HEADERS)."""
    h = HEADERS[style]
    return {h["name"]: h["scheme"] + " " + token if h["scheme"] else token}
