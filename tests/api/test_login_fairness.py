"""Log-ins are fair per address (issue 13, item 4): argon2id log-ins run in a pool of their own
and queue there, first come first served; one address holds only a few places in that queue
(NIMBUS_LOGIN_CONNECTIONS, 2) and keeps its own rate (5 r/s). So however busy other addresses
are, a quiet client is never refused — it only waits its turn."""
import os
import signal
import threading
import time

import requests

from conftest import (ADMIN_PASSWORD, ADMIN_USER, LOGIN, STATE_DIR, login_ok, pool_workers,
                      session_from, url, wait_for)

BUSY_ADDRESSES = ["127.0.0.%d" % i for i in range(2, 18)]  # sixteen
QUIET_ADDRESS = "127.0.0.100"


def log_in(session, dialect="waldur"):
    path, body, _ = LOGIN[dialect]
    return session.post(url(path), json=body(ADMIN_USER, ADMIN_PASSWORD), verify=False,
                        timeout=60)


def test_log_ins_run_in_their_own_pool():
    login, api = pool_workers("login"), pool_workers("api")
    assert login and api and not login & api


def test_a_quiet_client_is_never_refused_while_sixteen_addresses_log_in():
    stop = threading.Event()
    busy_answers = []

    def busy(address):
        s = session_from(address)
        while not stop.is_set():
            started = time.monotonic()
            busy_answers.append(log_in(s).status_code)
            # Each busy address stays within its own 5 log-ins a second.
            time.sleep(max(0.0, 0.25 - (time.monotonic() - started)))

    threads = [threading.Thread(target=busy, args=(a,)) for a in BUSY_ADDRESSES]
    for t in threads:
        t.start()
    try:
        time.sleep(1)  # the busy ones fill the log-in pool's queue
        quiet = session_from(QUIET_ADDRESS)
        answers = []
        for dialect in ("nano", "waldur", "astakos", "keystone", "danube"):
            r = log_in(quiet, dialect)
            answers.append((dialect, r.status_code, login_ok(r, dialect)))
            time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert all(ok for _, _, ok in answers), answers
    assert len(busy_answers) > len(BUSY_ADDRESSES)
    # The busy addresses were served too, not starved: most of their log-ins went through.
    assert busy_answers.count(200) > len(busy_answers) // 2, busy_answers


def test_one_address_holds_only_a_few_places_in_the_queue():
    """The log-in pool held still, eight log-ins at once from one address: two wait their
    turn, the other six are refused with 429 at once; another address still gets its place;
    once the pool goes on, the waiting ones are served."""
    workers = pool_workers("login")
    s = session_from("127.0.0.200")
    answers = []

    def one(session):
        answers.append(log_in(session).status_code)

    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    try:
        threads = [threading.Thread(target=one, args=(s,)) for _ in range(8)]
        threads.append(threading.Thread(target=one, args=(session_from("127.0.0.201"),)))
        for t in threads:
            t.start()
        wait_for(lambda: len(answers) >= 6, 10, what="the refusals")
        assert answers == [429] * 6, answers
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)
    for t in threads:
        t.join()
    assert sorted(answers) == [200] * 3 + [429] * 6, answers


def test_a_log_in_given_up_while_queued_is_not_hashed():
    """Clients that give up while their log-ins wait in the pool's queue: nginx closes those
    connections, and the worker that reaches one answers nobody and hashes nothing (logged
    as 499, nginx's "client closed request")."""
    log = os.path.join(STATE_DIR, "log", "nimbus-api.log")

    def abandoned():
        with open(log) as f:
            return sum('"status":499' in line for line in f)

    before = abandoned()

    def impatient(address):
        try:
            path, body, _ = LOGIN["waldur"]
            session_from(address).post(url(path), json=body(ADMIN_USER, ADMIN_PASSWORD), verify=False,
                                 timeout=0.3)
        except requests.exceptions.Timeout:
            pass

    threads = [threading.Thread(target=impatient, args=("127.0.1.%d" % i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wait_for(lambda: abandoned() > before, 30, what="a queued log-in found abandoned")
