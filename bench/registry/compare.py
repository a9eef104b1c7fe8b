#!/usr/bin/env python3
"""Runs every query of queries.txt once, serially, against a running server and writes the
responses (one line per query: status, then the body) to OUT, with the time per query to OUT.times.
Compare two servers' OUT files byte for byte (cmp) to check that a change kept search semantics.
Usage: TOKEN=... compare.py PORT OUT [QUERIES] [EXTRA_QUERY_STRING]
REPEAT=N runs the whole list N times (responses written once; OUT.times holds each query's fastest
time)."""
import http.client, sys, time, os, urllib.parse

port, out = int(sys.argv[1]), sys.argv[2]
qfile = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "queries.txt")
extra = sys.argv[4] if len(sys.argv) > 4 else "limit=10"
token = os.environ.get("TOKEN", "")
conn = http.client.HTTPConnection("127.0.0.1", port)
queries = []
with open(qfile, encoding="utf-8") as f:
    for line in f:
        q = line.rstrip("\n")
        if q and q not in queries:
            queries.append(q)
best = {}
with open(out, "wb") as o:
    for n in range(int(os.environ.get("REPEAT", "1"))):
        for q in queries:
            path = "/api/v1/search?" + extra + "&q=" + urllib.parse.quote(q, safe="-_.~")
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": "Bearer " + token})
            r = conn.getresponse()
            body = r.read()
            dt = time.perf_counter() - t0
            best[q] = min(best.get(q, dt), dt)
            if n == 0:
                o.write(b"%d %s\n" % (r.status, q.encode()) + body + b"\n")
with open(out + ".times", "w") as t:
    for q in queries:
        t.write("%.3f\t%s\n" % (best[q] * 1000, q))
print(len(queries), "queries")
