#!/usr/bin/env python3
"""Loads N synthetic service requests straight into a migrated SQLite database (for the service-desk
benchmarks: queue list, SLA sweep, creation throughput). The database must have been created by
`customsdesk serve --demo` (organisations, types, groups, users). Distribution: statuses weighted
towards closed (a year of history), groups by routing shares, due times spread over the past and
next month; `due_count` open requests get sla_next_check in the past (what one sweep must handle).

usage: load_requests.py DB.sqlite N [--due-count 500]
"""
import argparse
import datetime as dt
import json
import random
import sqlite3

ap = argparse.ArgumentParser()
ap.add_argument("db")
ap.add_argument("n", type=int)
ap.add_argument("--due-count", type=int, default=500)
ap.add_argument("--seed", type=int, default=2026)
a = ap.parse_args()
rnd = random.Random(a.seed)
con = sqlite3.connect(a.db)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=OFF")
orgs = [r[0] for r in con.execute("SELECT id FROM organisations")]
types = [r for r in con.execute("SELECT id, form_version FROM sd_request_types")]
groups = {k: i for i, k in con.execute("SELECT id, group_key FROM sd_service_groups")}
policy = con.execute("SELECT id FROM sla_policies WHERE name = 'Default'").fetchone()[0]
year = con.execute("SELECT COALESCE(MAX(last_serial), 0) FROM sd_serials").fetchone()[0]
now = dt.datetime.now(dt.timezone.utc)
def ts(t): return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
statuses = ["closed"] * 70 + ["resolved"] * 8 + ["open"] * 10 + ["new"] * 6 + ["pending_customer"] * 4 + ["pending_third_party"] * 2
group_keys = ["customer_service"] * 70 + ["edi_support"] * 15 + ["tariff_classification"] * 8 + ["customs_procedures"] * 5 + ["authorisations"] * 2
tiers = {"customer_service": "customer_service", "edi_support": "support", "tariff_classification": "support",
         "customs_procedures": "support", "authorisations": "support"}
prios = ["low"] * 20 + ["normal"] * 60 + ["high"] * 15 + ["urgent"] * 5
serial0 = con.execute("SELECT COALESCE(MAX(last_serial),0) FROM sd_serials WHERE year = ?", (now.year,)).fetchone()[0]
due_left = a.due_count
batch = []
def flush():
    con.executemany(
        "INSERT INTO sd_requests (number, organisation_id, requester_name, type_id, form_version, priority, channel, "
        "language, subject, body, form_data, status, tier, group_id, tags, routing, due_at, created_at, updated_at, "
        "sla_policy_id, sla_events, sla_json, sla_state, sla_next_check) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,'{}',?,?,?,'[]','{}',?,?,?,?,?,?,?,?)", batch)
    batch.clear()
for i in range(1, a.n + 1):
    created = now - dt.timedelta(minutes=rnd.randint(0, 365 * 24 * 60))
    st = rnd.choice(statuses)
    g = rnd.choice(group_keys)
    t = rnd.choice(types)
    open_ = st not in ("resolved", "closed")
    due = ts(now + dt.timedelta(minutes=rnd.randint(-30 * 24 * 60, 30 * 24 * 60))) if open_ else "9999-12-31T23:59:59.999999Z"
    next_check = None
    events = json.dumps([{"at": ts(created), "kind": "created"}])
    state = "on_track" if open_ else "met"
    if open_ and due_left > 0:
        next_check = ts(now - dt.timedelta(seconds=rnd.randint(1, 3600)))
        due_left -= 1
        created = now - dt.timedelta(days=20)
        events = json.dumps([{"at": ts(created), "kind": "created"}])
    elif open_:
        next_check = ts(now + dt.timedelta(minutes=rnd.randint(60, 30 * 24 * 60)))
    batch.append((f"SR-{now.year}-{serial0 + i:06d}", rnd.choice(orgs), "Bench Requester", t[0], t[1], rnd.choice(prios),
                  rnd.choice(["portal", "api", "email", "phone"]), "fi", f"Benchmark request {i} about {g}",
                  "Synthetic body", st, tiers[g], groups[g], due, ts(created), ts(created), policy, events, None, state,
                  next_check))
    if len(batch) == 20000:
        flush()
flush()
con.execute("INSERT INTO sd_serials (year, last_serial) VALUES (?, ?) ON CONFLICT (year) DO UPDATE SET last_serial = ?",
            (now.year, serial0 + a.n, serial0 + a.n))
con.commit()
con.execute("ANALYZE")
con.commit()
print(f"loaded {a.n} requests, {a.due_count - due_left} due for the sweep")
