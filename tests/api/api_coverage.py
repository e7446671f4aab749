"""Endpoint coverage: every route of every dialect's table, the blueprint endpoints it serves,
and the API test files that call it. `python3 api_coverage.py` prints docs/api-coverage.md;
test_api_coverage.py checks that the document is current and that nothing is unrouted.

The route rows come from the dialect descriptors (`nimbusctl dialects`). A test file calls an
endpoint when it holds a request with that method and a path the endpoint's pattern matches:
get/post/put/delete(path), request/call/ok/fail(METHOD, path), a Nano session's calls (paths
under /api/v1), and do_login/login_response(kind) for each dialect's log-in. Paths are string
literals, f-strings, "%" formats and "+" joins, or names bound to them; what is formatted in
stands for one segment."""
import ast
import fnmatch
import glob
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

from nimbus_test import dialects  # noqa: E402

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
HOLE = "\0"  # a value formatted into a path: some text within one segment
NANO_MOUNT = "/api/v1"


def python_pattern(pcre):
    """A route's PCRE pattern in Python's spelling (named groups are (?P<name>...))."""
    return re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pcre)


def routes():
    """(dialect, [methods], pattern) for every row of every dialect's route table."""
    return [(d["name"], r["methods"], python_pattern(r["pattern"]))
            for d in dialects.load() for r in d["routes"]]


def blueprint():
    """(method, path) of every Nano endpoint of the blueprint checklist."""
    rows = []
    for line in open(os.path.join(REPO, "docs", "nano-endpoints.txt")):
        if line.strip() and not line.startswith("#"):
            method, path = line.split()[:2]
            rows.append((method, path))
    return rows


def blueprint_calls(method, path, m, call):
    """Whether a test's call (m, call) is a request to the blueprint endpoint (method, path):
    segment by segment, a {parameter} takes anything and a HOLE any text."""
    want, got = path.rstrip("/").split("/"), call.rstrip("/").split("/")
    return m == method and len(want) == len(got) and all(
        w.startswith("{") or fnmatch.fnmatchcase(w, g.replace(HOLE, "*"))
        for w, g in zip(want, got))


def concrete(path):
    """A path of the blueprint with its {parameters} filled in, to match against patterns."""
    return re.sub(r"\{[^}]+\}", "x", path)


def _compatible(a, b):
    """Tags of two values (None, or (loop, iteration)) that can hold at once; the joint tag."""
    if a is None or b is None or a == b:
        return True, a or b
    return a[0] != b[0], a or b


def _values(node, env):
    """What a path or method expression can be, as (tag, text) pairs: literals, f-strings,
    "%" formats and "+" joins, names bound to those (a loop over literal tuples tags each value
    with its iteration, so values of one iteration stay together). What else is formatted in
    (or a name bound to nothing known) is a HOLE."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(None, node.value)]
    if isinstance(node, ast.Name):
        return env.get(node.id) or [(None, HOLE)]
    if isinstance(node, ast.JoinedStr):
        return [(None, "".join(v.value if isinstance(v, ast.Constant) else HOLE
                               for v in node.values))]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return [(t, re.sub(r"%[-0-9.]*[sdr]", HOLE, v)) for t, v in _values(node.left, env)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        out = []
        for lt, lv in _values(node.left, env) or [(None, HOLE)]:
            for rt, rv in _values(node.right, env) or [(None, HOLE)]:
                ok, tag = _compatible(lt, rt)
                if ok:
                    out.append((tag, lv + rv))
        return out
    return []


def _bind(tree):
    """Names bound to path-like values anywhere in a test file (assignments, literal loops)."""
    env = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name):
            env.setdefault(node.targets[0].id, []).extend(_values(node.value, env))
        elif isinstance(node, ast.For) and isinstance(node.iter, (ast.Tuple, ast.List)):
            for i, elt in enumerate(node.iter.elts):
                tag = (id(node), i)
                if isinstance(node.target, ast.Name):
                    pairs = [(node.target, elt)]
                elif isinstance(node.target, ast.Tuple) and isinstance(elt, ast.Tuple) and \
                        len(elt.elts) == len(node.target.elts):
                    pairs = list(zip(node.target.elts, elt.elts))
                else:
                    continue
                for name, value in pairs:
                    if isinstance(name, ast.Name):
                        env.setdefault(name.id, []).extend(
                            (tag, v) for _, v in _values(value, env))
    return env


def _mounted(path):
    return any(path.startswith(m.rstrip("/")) for d in dialects.load() for m in d["mounts"])


def calls(source):
    """(method, path) of every request a test source makes that names both."""
    logins = {d["credential_kind"]: d["login"] for d in dialects.with_login()}
    tree = ast.parse(source)
    env = _bind(tree)
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if name in ("do_login", "login_response"):
            found.update(("POST", logins[v]) for _, v in _values(node.args[0], env)
                         if v in logins)
            continue
        if name.upper() in METHODS:
            methods, paths = [(None, name.upper())], _values(node.args[0], env)
        elif name in ("request", "call", "ok", "fail") and len(node.args) > 1:
            methods = [(t, v) for t, v in _values(node.args[0], env) if v in METHODS]
            paths = _values(node.args[1], env)
        else:
            continue
        for mt, method in methods:
            for pt, path in paths:
                if not _compatible(mt, pt)[0] or not path.startswith("/"):
                    continue
                path = path.split("?")[0]
                if isinstance(f, ast.Attribute) and not _mounted(path):
                    path = NANO_MOUNT + path  # a Nano session's paths are under its mount
                found.add((method, path))
    return found


_CALLS = {}


def test_calls():
    """{test file: its (method, path) calls}, test_api_coverage.py itself left out."""
    if not _CALLS:
        for f in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
            if os.path.basename(f) != "test_api_coverage.py":
                _CALLS[os.path.basename(f)] = calls(open(f).read())
    return _CALLS


def tests_calling(methods, pattern):
    """API test files that make a request with one of methods to a path pattern matches (a HOLE
    taken as "x")."""
    rx = re.compile(pattern)
    return [t for t, cs in test_calls().items()
            if any(m in methods and rx.match(p.replace(HOLE, "x")) for m, p in cs)]


def tests_calling_blueprint(method, path):
    """API test files that make a request to a blueprint endpoint."""
    return [t for t, cs in test_calls().items()
            if any(blueprint_calls(method, path, m, p) for m, p in cs)]


def unrouted():
    """Blueprint endpoints no route row serves."""
    table = routes()
    return [(m, p) for m, p in blueprint()
            if not any(m in ms and re.match(pat, concrete(p)) for _, ms, pat in table)]


def document():
    lines = ["# API coverage", "",
             "Generated by `tests/api/api_coverage.py` from the dialect descriptors",
             "(`nimbusctl dialects`) and the API tests: a test is listed when it makes a request",
             "with the endpoint's method to a path its pattern matches.",
             "`tests/api/test_api_coverage.py` fails when this file is stale or a blueprint",
             "endpoint has no route. Regenerate with",
             "`/usr/bin/python3 tests/api/api_coverage.py > docs/api-coverage.md`.", "",
             "## Nano FrontEnd API 1.3.1 (`docs/nano-endpoints.txt`, the blueprint's 136)", "",
             "| method | endpoint | tests |", "|---|---|---|"]
    missing = set(unrouted())
    for m, p in blueprint():
        tests = tests_calling_blueprint(m, p)
        where = "**not routed**" if (m, p) in missing else (", ".join(tests) or "—")
        lines.append("| %s | `%s` | %s |" % (m, p, where))
    for d in dialects.load():
        if d["name"] == "nano":
            continue
        lines += ["", "## %s" % d["name"].capitalize(), "", "| methods | route pattern | tests |",
                  "|---|---|---|"]
        for r in d["routes"]:
            lines.append("| %s | `%s` | %s |" % (" ".join(r["methods"]), r["pattern"],
                                                ", ".join(tests_calling(
                                                    r["methods"], python_pattern(r["pattern"])))
                                                or "—"))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(document())
