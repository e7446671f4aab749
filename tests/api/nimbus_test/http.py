"""HTTP against the stack: one request helper that waits out nginx's log-in rate limit, and
sessions whose connections come from another loopback address."""
import time

import requests
from requests.adapters import HTTPAdapter

from nimbus_test.env import BASE_URL, TIMEOUT


def url(path):
    return BASE_URL + path


def request(method, path, *, retry_429=True, session=None, timeout=TIMEOUT, **kw):
    """One HTTP request against the stack. Log-in paths are rate-limited by nginx
    (limit_req, 429): a polite client waits and tries again, and so do we."""
    kw.setdefault("verify", False)
    kw.setdefault("allow_redirects", False)
    send = session.request if session is not None else requests.request
    deadline = time.monotonic() + 30
    while True:
        r = send(method, url(path), timeout=timeout, **kw)
        if r.status_code != 429 or not retry_429 or time.monotonic() > deadline:
            return r
        time.sleep(0.25)


def get(path, **kw):
    return request("GET", path, **kw)


def post(path, **kw):
    return request("POST", path, **kw)


def put(path, **kw):
    return request("PUT", path, **kw)


def delete(path, **kw):
    return request("DELETE", path, **kw)


class SourceAddress(HTTPAdapter):
    """Connections from another loopback address (nginx listens on 127.0.0.1; Linux routes all
    of 127/8 to lo, so a client bound to 127.0.0.2 reaches it as a different remote_addr)."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kw)


def session_from(address):
    """A requests session whose connections come from address (any of 127.0.0.0/8)."""
    s = requests.Session()
    s.mount("https://", SourceAddress(address))
    return s
