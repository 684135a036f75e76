#!/usr/bin/env python3
"""Login timing: does a failed login take as long for a name that exists as for one that does not?

Starts the release server (SQLite in a temporary directory, or MongoDB with --mongodb-uri), makes
one account, then sends failed logins in pairs (existing name, unknown name; the order alternating),
each from a fresh address (the server trusts X-Forwarded-For here), so every attempt takes the
throttle's common path: check, lookup, bcrypt verify, count the failure. Prints the latency of each
kind (median, p90, mean) and the difference of the medians. Standard library only.

    cargo build --release -p stackrush-api
    python3 bench/login-timing.py [--pairs 200] [--mongodb-uri URI] [--bcrypt-cost 12]
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "Timing-Pass-1!"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(conn, path, body, address):
    payload = json.dumps(body)
    headers = {"content-type": "application/json", "x-forwarded-for": address}
    start = time.perf_counter()
    conn.request("POST", path, payload, headers)
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    return response.status, json.loads(data or b"{}"), elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--mongodb-uri")
    parser.add_argument("--bcrypt-cost", default="12")
    args = parser.parse_args()

    binary = os.path.join(ROOT, "target", "release", "stackrush-api")
    if not os.path.exists(binary):
        sys.exit("build it first: cargo build --release -p stackrush-api")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="login-timing-")
    env = dict(
        os.environ,
        PORT=str(port),
        DATABASE_PATH=os.path.join(workdir, "db.sqlite"),
        MAIL_DIR=os.path.join(workdir, "mail"),
        BCRYPT_COST=args.bcrypt_cost,
        TRUST_PROXY="true",
        RATE_LIMIT_PER_MINUTE="1000000",
        AUTH_RATE_LIMIT_PER_MINUTE="1000000",
        RUST_LOG="error",
    )
    if args.mongodb_uri:
        env["MONGODB_URI"] = args.mongodb_uri
        env["MONGODB_DB"] = "login_timing_%d" % os.getpid()
    server = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        name = "timing%d" % random.randrange(10**6)
        status, body, _ = request(
            conn,
            "/api/auth/register",
            {"email": name + "@example.com", "username": name, "password": PASSWORD},
            "10.0.0.1",
        )
        if status != 201:
            sys.exit("register failed: %s %s" % (status, body))
        times = {"existing": [], "unknown": []}
        codes = set()
        for i in range(args.pairs):
            # One name of each kind, as a prober would compare them; every attempt from a
            # fresh address, so each is a first failure (no lock) with its own record.
            pair = [("existing", name), ("unknown", "nobody" + name)]
            if i % 2:
                pair.reverse()
            for kind, login in pair:
                address = "10.%d.%d.%d" % (
                    random.randrange(1, 255),
                    random.randrange(256),
                    random.randrange(1, 255),
                )
                status, body, elapsed = request(
                    conn,
                    "/api/auth/login",
                    {"identifier": login, "password": "Wrong-Pass-1!"},
                    address,
                )
                codes.add((kind, status, body.get("error", {}).get("code")))
                if i >= 5:  # the first few warm the connection and the caches
                    times[kind].append(elapsed * 1000)
        store = "MongoDB" if args.mongodb_uri else "SQLite"
        print("store: %s, bcrypt cost %s, %d pairs" % (store, args.bcrypt_cost, args.pairs))
        print("answers: %s" % sorted(codes))
        for kind, values in times.items():
            values.sort()
            p90 = values[int(len(values) * 0.9) - 1]
            print(
                "%-8s median %.2f ms  p90 %.2f ms  mean %.2f ms"
                % (kind, statistics.median(values), p90, statistics.mean(values))
            )
        diff = statistics.median(times["existing"]) - statistics.median(times["unknown"])
        print("median difference (existing - unknown): %+.2f ms" % diff)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
