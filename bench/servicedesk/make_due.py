#!/usr/bin/env python3
"""Arms the SLA sweep of a benchmark database (made by load_requests.py) with exactly K due requests,
so the sweep can be measured again and again on one database: every request whose sla_next_check has
passed is pushed a month ahead, then the K open requests with the smallest ids get a fresh timeline
that started 20 days ago (so both their first-response and resolution targets are breached and not
yet raised: 2 breaches each under the Default policy) and an sla_next_check in the past hour.
Stop the server first.

usage: make_due.py DB.sqlite K
"""
import argparse
import datetime as dt
import json
import sqlite3

ap = argparse.ArgumentParser()
ap.add_argument("db")
ap.add_argument("k", type=int)
a = ap.parse_args()
con = sqlite3.connect(a.db)
now = dt.datetime.now(dt.timezone.utc)
def ts(t): return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
later = ts(now + dt.timedelta(days=30))
con.execute("UPDATE sd_requests SET sla_next_check = ? WHERE sla_next_check IS NOT NULL AND sla_next_check <= ?",
            (later, ts(now + dt.timedelta(minutes=5))))
ids = [r[0] for r in con.execute(
    "SELECT id FROM sd_requests WHERE status IN ('new', 'open') AND sla_policy_id IS NOT NULL ORDER BY id LIMIT ?",
    (a.k,))]
created = ts(now - dt.timedelta(days=20))
events = json.dumps([{"at": created, "kind": "created"}])
for i, rid in enumerate(ids):
    con.execute("UPDATE sd_requests SET created_at = ?, sla_events = ?, sla_raised = '[]', sla_state = 'on_track', "
                "sla_next_check = ? WHERE id = ?",
                (created, events, ts(now - dt.timedelta(seconds=60 + i)), rid))
con.commit()
print(f"{len(ids)} requests due for the sweep")
