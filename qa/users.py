#!/usr/bin/env python3
"""Create the schemathesis users on a running StackRush API and write WFC auth documents.

usage: users.py BASE_URL OUT_DIR
Every user's email address is verified through the link mailed to OUT_DIR/mail (the server's
MAIL_DIR), so the fuzzer reaches what verified accounts may do (community posts, comments, likes).
Writes OUT_DIR/wfc-login.json (alice and bob, signing in through /api/auth/login, so a logout
during the run only costs a new login) and OUT_DIR/wfc-fixed.json (carol and dave with fixed
Bearer tokens, for the destructive account deletion run). With FUZZ_ADMIN_EMAIL and
FUZZ_ADMIN_PASSWORD (the server's bootstrap admin), alice and bob get the premium role, so the
fuzzer reaches what playlist authors may do.
"""
import glob
import json
import os
import re
import sys
import urllib.error
import urllib.request

PASSWORD = "Fuzz-Password-1"


def post(base, path, body):
    req = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def newest_mail_token(out):
    """The token in the link of the newest mail (files are named by time)."""
    files = sorted(glob.glob(os.path.join(out, "mail", "*.eml")))
    if not files:
        sys.exit("no verification mail was written")
    with open(files[-1], encoding="utf-8") as f:
        text = f.read().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
    found = re.search(r"token=([A-Za-z0-9_-]+)", text)
    if not found:
        sys.exit(f"no link in {files[-1]}")
    return found.group(1)


def user(base, out, name):
    status, body = post(base, "/api/auth/register", {"email": f"{name}@fuzz.test", "username": name, "password": PASSWORD})
    if status not in (201, 409):
        sys.exit(f"register {name}: {status} {body}")
    if status == 201:
        status, body = post(base, "/api/auth/verify-email", {"token": newest_mail_token(out)})
        if status != 200:
            sys.exit(f"verify {name}: {status} {body}")
    status, body = post(base, "/api/auth/login", {"identifier": name, "password": PASSWORD})
    if status != 200:
        sys.exit(f"login {name}: {status} {body}")
    return body["data"]["tokens"]["accessToken"]


def request(base, method, path, body, token):
    req = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method=method,
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def grant_premium(base, names):
    """Makes `names` premium through the admin (their sessions end: they sign in afterwards)."""
    email, password = os.environ.get("FUZZ_ADMIN_EMAIL"), os.environ.get("FUZZ_ADMIN_PASSWORD")
    if not (email and password):
        return
    status, body = post(base, "/api/auth/login", {"identifier": email, "password": password})
    if status != 200:
        sys.exit(f"admin login: {status} {body}")
    admin = body["data"]["tokens"]["accessToken"]
    for name in names:
        status, body = post(base, "/api/auth/login", {"identifier": name, "password": PASSWORD})
        if status != 200:
            sys.exit(f"login {name}: {status} {body}")
        uid = body["data"]["user"]["_id"]
        status, body = request(base, "PATCH", f"/api/users/{uid}", {"roles": ["premium"]}, admin)
        if status != 200:
            sys.exit(f"premium for {name}: {status} {body}")


def login_entry(name):
    return {
        "name": name,
        "loginEndpointAuth": {
            "endpoint": "/api/auth/login",
            "verb": "POST",
            "contentType": "application/json",
            "payloadRaw": json.dumps({"identifier": name, "password": PASSWORD}),
            "token": {
                "extractFrom": "body",
                "extractSelector": "/data/tokens/accessToken",
                "sendIn": "header",
                "sendName": "Authorization",
                "sendTemplate": "Bearer {token}",
            },
        },
    }


def main():
    base, out = sys.argv[1].rstrip("/"), sys.argv[2]
    for name in ("alice", "bob"):
        user(base, out, name)
    grant_premium(base, ("alice", "bob"))
    with open(f"{out}/wfc-login.json", "w") as f:
        json.dump({"schemaVersion": "0.2.0", "auth": [login_entry("alice"), login_entry("bob")]}, f, indent=2)
    fixed = [
        {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {user(base, out, name)}"}]}
        for name in ("carol", "dave")
    ]
    with open(f"{out}/wfc-fixed.json", "w") as f:
        json.dump({"schemaVersion": "0.2.0", "auth": fixed}, f, indent=2)


if __name__ == "__main__":
    main()
