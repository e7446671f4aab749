"""The stack's database through psql: read-backs, credential expiry, audit rows, users."""
import hashlib
import shutil
import subprocess

from nimbus_test.env import DB


def psql_bin():
    return shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"


def _psql(source, script=None, timeout=30):
    p = subprocess.run([psql_bin(), "-X", "-q", "-t", "-A", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                        "-d", DB] + source, input=script, capture_output=True, text=True,
                       timeout=timeout)
    assert p.returncode == 0, "psql failed: %s\n%s" % (script or source[-1], p.stderr)
    return [line.split("\t") for line in p.stdout.splitlines() if line != ""]


def run_psql(sql):
    """Run SQL against the stack's database; the rows of its last statement, as lists of
    strings."""
    return _psql(["-c", sql])


def run_psql_script(script, timeout=30):
    """Run a script of statements, one psql session; the rows every statement printed."""
    return _psql(["-f", "-"], script, timeout)


def sql_literal(s):
    return "'" + s.replace("'", "''") + "'"


def psql_scalar(sql):
    rows = run_psql(sql)
    assert len(rows) == 1 and len(rows[0]) == 1, "expected one value from %s, got %r" % (sql, rows)
    return rows[0][0]


def token_where(token):
    return "token_hash = sha256(convert_to(%s, 'UTF8'))" % sql_literal(token)


def expire_credential(token):
    n = run_psql("UPDATE credentials SET expires_at = now() - interval '1 second' WHERE %s"
                 " RETURNING 1" % token_where(token))
    assert len(n) == 1, "no credential row for the token"


def credential_count(user=None):
    if user is None:
        return int(psql_scalar("SELECT count(*) FROM credentials"))
    return int(psql_scalar(
        "SELECT count(*) FROM credentials c JOIN users u ON u.id = c.user_id WHERE u.name = %s"
        % sql_literal(user)))


def sha256_hex(token):
    return hashlib.sha256(token.encode()).hexdigest()


def audit_mark():
    """The newest audit row id now; audit_since(mark) lists the rows written after it."""
    return int(psql_scalar("SELECT coalesce(max(id), 0) FROM audit_log"))


def audit_since(mark):
    """Audit entries (text) written after mark, oldest first."""
    return [row[0] for row in run_psql("SELECT entry FROM audit_log WHERE id > %d ORDER BY id"
                                       % mark)]


def admin_count():
    """Active users whose group holds the admin role."""
    return int(psql_scalar(
        "SELECT count(*) FROM users u JOIN group_roles gr ON gr.group_id = u.group_id"
        " JOIN roles r ON r.id = gr.role_id WHERE r.name = 'admin' AND u.active"))


def group_of_user(user):
    """The name of the user's Nano group ("" for none); fails if the user does not exist."""
    rows = run_psql("SELECT '=' || coalesce(g.name, '') FROM users u LEFT JOIN user_groups g"
                    " ON g.id = u.group_id WHERE u.name = %s" % sql_literal(user))
    assert len(rows) == 1, "user %s does not exist" % user
    return rows[0][0][1:]


def user_row(user):
    """[nick, mail, password_hash, group] of a user as stored, or None."""
    rows = run_psql("SELECT '=' || u.nick, '=' || u.mail, u.password_hash,"
                    " '=' || coalesce(g.name, '') FROM users u"
                    " LEFT JOIN user_groups g ON g.id = u.group_id WHERE u.name = %s"
                    % sql_literal(user))
    if not rows:
        return None
    nick, mail, pw, group = rows[0]
    return [nick[1:], mail[1:], pw, group[1:]]
