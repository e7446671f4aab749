"""The dialect descriptors (routes/<dialect>/table.c), as `nimbusctl dialects` prints them:
name, mounts, log-in path, credential kind, TTL and headers, and every route row. The tests'
lists of dialects, log-ins and credential headers come from here, not from copies."""
import functools
import json
import os
import subprocess

from nimbus_test import stack


@functools.lru_cache(maxsize=None)
def load():
    """Every dialect, in the order their mounts are tried (ops first)."""
    exe = os.path.join(stack.build_dir(), "nimbusctl")
    p = subprocess.run([exe, "dialects"], capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, "%s dialects failed (%d): %s" % (exe, p.returncode, p.stderr)
    return json.loads(p.stdout)


def with_login():
    """The dialects that have a log-in of their own."""
    return [d for d in load() if d["login"]]
