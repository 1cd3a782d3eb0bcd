"""The service-loop benchmark: page latency at scale and API intake throughput.

    make bench                      # 1,000,000 demands (generated once, then reused)
    BENCH_N=100000 make bench       # a quicker run

Needs PostgreSQL (BENCH_DATABASE_URL, default the machine's, database sanmanyi_bench)
and Debian's ``wrk`` (``make bench`` installs it when missing). Starts gunicorn with
production settings on 127.0.0.1:8765, measures from a client on the same machine, and
prints a Markdown table for docs/benchmarks.md. Not a test: nothing here passes or fails.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import common

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
N = int(os.environ.get("BENCH_N", "1000000"))
DB_URL = os.environ.get("BENCH_DATABASE_URL",
                        "postgres://postgres@127.0.0.1:5432/sanmanyi_bench")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
ENV = {**os.environ, "DATABASE_URL": DB_URL, "DEBUG": "0", "SECURE_HTTPS": "0",
       "SECRET_KEY": "bench-only-" + "k" * 50, "ALLOWED_HOSTS": "127.0.0.1",
       "DEMO_DEMANDS": "0", "LOG_LEVEL": "WARNING", "VAR_DIR": tempfile.mkdtemp(),
       # production shape: Redis for the cache (the dashboards) and the broker
       "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
       # one client from one address would hit the per-IP limits of the public pages
       "RATE_LIMITS": "0"}


def manage(*args, capture=False):
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True,
                            capture_output=capture, text=True)
    return result.stdout if capture else ""


def psql(sql: str, database: str = "postgres") -> str:
    return common.psql(DB_URL, sql, database)


def prepare() -> None:
    name = DB_URL.rsplit("/", 1)[1]
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and os.environ.get("BENCH_FRESH") != "1":
        have = int(psql("SELECT COUNT(*) FROM demands_demand", name) or 0)
        if have >= N:
            print(f"reusing {name}: {have:,} demands")
            manage("migrate", "-v0")  # bring the schema up to date
            manage("load_demo", "-v0")  # and the reference data (no demo demands)
            if psql("SELECT COUNT(*) FROM demands_demand WHERE consent_publish", name) == "0":
                # databases generated before consent existed: 30% consent, as generate.py
                psql("UPDATE demands_demand SET consent_publish = (id % 10 < 3)", name)
                psql("ANALYZE demands_demand", name)
            return
        psql(f"DROP DATABASE {name}")
    elif exists:
        psql(f"DROP DATABASE {name}")
    psql(f"CREATE DATABASE {name}")
    manage("migrate", "-v0")
    manage("load_demo")
    t = time.monotonic()
    subprocess.run([PY, "bench/generate.py", str(N)], cwd=ROOT, env=ENV, check=True)
    print(f"generation took {time.monotonic() - t:.0f}s")


class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username):
        self.request("GET", "/console/login/")
        token = self.cookies["sanmanyi_csrftoken"]
        body = urllib.parse.urlencode({"username": username, "password": "Sanmanyi@2015",
                                       "csrfmiddlewaretoken": token})
        status, _ = self.request("POST", "/console/login/", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{PORT}/console/login/"})
        if status != 302:
            raise SystemExit(f"login failed: HTTP {status}")


def timed(client, paths, warmup=5):
    for path in paths[:warmup]:
        client.request("GET", path)
    samples = []
    for path in paths:
        t = time.perf_counter()
        status, _ = client.request("GET", path)
        samples.append((time.perf_counter() - t) * 1000)
        if status != 200:
            raise SystemExit(f"{path} -> HTTP {status}")
    samples.sort()
    return {"n": len(samples), "p50": statistics.median(samples),
            "p95": samples[int(len(samples) * 0.95) - 1], "max": samples[-1]}


def latency() -> list[tuple[str, dict]]:
    client = Client()
    client.login("dispatcher")
    rng = random.Random(1)
    name = DB_URL.rsplit("/", 1)[1]
    numbers = psql("SELECT number FROM demands_demand TABLESAMPLE SYSTEM (1) LIMIT 400",
                   name).split()
    queue_paths = []
    for queue in ["received", "dispatched", "handling", "replied", "warning", "overdue", "all"]:
        first = f"/console/demands/?queue={queue}"
        queue_paths.append(first)
        _status, body = client.request("GET", first)
        more = re.search(rb'href="\?([^"]*after=[^"]*)"', body)
        if more:
            queue_paths.append("/console/demands/?" + more.group(1).decode().replace("&amp;", "&"))
    queue_paths += ["/console/demands/?queue=all&channel=12345",
                    "/console/demands/?queue=all&kind=enterprise",
                    "/console/demands/?queue=all&sla=overdue"]
    queue_sample = [rng.choice(queue_paths) for _ in range(200)]
    detail_sample = [f"/console/demands/{rng.choice(numbers)}/" for _ in range(200)]
    dash_sample = [f"/console/dashboard/?by={rng.choice(['unit', 'category', 'channel', 'requester_kind'])}"
                   for _ in range(60)]
    client.request("GET", "/console/dashboard/")
    return [("队列页 /console/demands/", timed(client, queue_sample)),
            ("详情页 /console/demands/<编号>/", timed(client, detail_sample)),
            ("满意度看板 /console/dashboard/", timed(client, dash_sample))]


# Each request carries fresh phone numbers, as real traffic does (one phone repeated a
# million times would make the repeat check scan that phone's history on every insert).
def portal_latency() -> list[tuple[str, dict]]:
    """Anonymous visitors: the public pages, and tracking a real demand."""
    client = Client()
    rng = random.Random(2)
    name = DB_URL.rsplit("/", 1)[1]
    pairs = [line.split("|") for line in psql(
        "SELECT number, right(requester_phone, 4) FROM demands_demand TABLESAMPLE SYSTEM (1) "
        "WHERE requester_phone <> '' LIMIT 200", name).split()]
    _status, body = client.request("GET", "/demands/")
    more = re.search(rb'href="\?([^"]*after=[^"]*)"', body)
    board_pages = ["/demands/"] + (["/demands/?" + more.group(1).decode().replace("&amp;", "&")]
                                   if more else [])
    pages = ["/", "/services/", "/services/hwgg/", "/board/", "/board/huanwei/",
             "/appointments/", "/track/", *board_pages,
             "/demands/?category=" + psql("SELECT id FROM catalog_category "
                                          "WHERE code = 'shirong-huanjing'", name)]
    results = [("门户页面（首页、诉求栏、办事指南、三亮、预约、查询页）",
                timed(client, [rng.choice(pages) for _ in range(300)]))]
    client.request("GET", "/track/")
    token = client.cookies["sanmanyi_csrftoken"]
    samples = []
    for number, suffix in (rng.choice(pairs) for _ in range(150)):
        body = urllib.parse.urlencode({"number": number, "phone_suffix": suffix,
                                       "csrfmiddlewaretoken": token})
        t = time.perf_counter()
        status, page = client.request("POST", "/track/", body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{PORT}/track/"})
        samples.append((time.perf_counter() - t) * 1000)
        if status != 200 or b"public-timeline" not in page:
            raise SystemExit(f"tracking {number} failed: HTTP {status}")
    samples.sort()
    results.append(("进度查询 POST /track/（编号 + 手机后四位）", {
        "n": len(samples), "p50": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1], "max": samples[-1]}))
    results.append(("Open311 GET /open311/v2/requests.json（默认 90 天，最多 1000 条）",
                    timed(client, ["/open311/v2/requests.json?page_size=100"] * 60)))
    return results


LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
local item = '%s'
local batch = %d
math.randomseed(os.time())
request = function()
  local parts = {}
  for i = 1, batch do
    parts[i] = string.gsub(item, "PHONE", string.format("139%%08d", math.random(0, 99999999)))
  end
  local body = parts[1]
  if batch > 1 then body = "[" .. table.concat(parts, ",") .. "]" end
  return wrk.format(nil, nil, nil, body)
end
"""
BATCH = int(os.environ.get("BENCH_BATCH", "50"))


def intake(path: str, batch: int) -> dict:
    """wrk POSTs for 20 s; demands/s is counted from the rows that really arrived."""
    token = manage("create_api_token", "receiver", "bench", capture=True).strip()
    one = {"requester_kind": "citizen", "channel": "api", "category": "baolu-laji",
           "title": "基准测试接口受理", "content": "压测提交的诉求。",
           "requester_phone": "PHONE"}
    script = Path(tempfile.mkdtemp()) / "post.lua"
    script.write_text(LUA % (token, json.dumps(one, ensure_ascii=False), batch))
    name = DB_URL.rsplit("/", 1)[1]
    before = int(psql("SELECT COUNT(*) FROM demands_demand", name))
    started = time.monotonic()
    out = subprocess.run(["wrk", "-t2", "-c16", "-d20s", "--latency", "-s", str(script),
                          f"http://127.0.0.1:{PORT}{path}"],
                         check=True, capture_output=True, text=True).stdout
    elapsed = time.monotonic() - started
    after = int(psql("SELECT COUNT(*) FROM demands_demand", name))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    return {"requests": rate, "created": after - before,
            "demands": (after - before) / elapsed,
            "non2xx": int(errors.group(1)) if errors else 0, "p99": p99.group(1) if p99 else "?"}


def main() -> None:
    prepare()
    manage("collectstatic", "--noinput", "-v0")
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "sanmanyi.wsgi", "-b", f"127.0.0.1:{PORT}",
         "--workers", WORKERS, "--log-level", "warning"], cwd=ROOT, env=ENV,
        start_new_session=True)
    try:
        for _ in range(100):
            try:
                Client().request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        name = DB_URL.rsplit("/", 1)[1]
        total = int(psql("SELECT COUNT(*) FROM demands_demand", name))
        portal = portal_latency()
        if os.environ.get("BENCH_ONLY") == "portal":
            print(f"\ndemands in the database: {total:,}; gunicorn --workers {WORKERS}\n")
            print("| page | requests | p50 ms | p95 ms | max ms |")
            print("|---|---:|---:|---:|---:|")
            for label, r in portal:
                print(f"| {label} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | "
                      f"{r['max']:.1f} |")
            return
        # What the beat job does every few minutes in production: compute the
        # bureau-wide dashboards into the cache. Timed, because it is the cold cost.
        t = time.monotonic()
        manage("shell", "-c", "from demands.kpis import refresh_dashboards; refresh_dashboards()")
        refresh = time.monotonic() - t
        results = latency()
        single = intake("/api/v1/demands", 1)
        batch = intake("/api/v1/demands/batch", BATCH)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print()
    print(f"demands in the database: {total:,}; gunicorn --workers {WORKERS}; "
          f"PostgreSQL {psql('SHOW server_version')}; {os.cpu_count()} cores")
    print()
    print(f"Dashboard refresh job (beat; 4 groupings, month + 12-month trend): {refresh:.1f} s")
    print()
    print("| page | requests | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for label, r in results + portal:
        print(f"| {label} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} |")
    print()
    for label, api in (("POST /api/v1/demands (one per request)", single),
                       (f"POST /api/v1/demands/batch ({BATCH} per request)", batch)):
        print(f"- API intake, {label}, wrk -t2 -c16 -d20s: **{api['demands']:.0f} demands/s** "
              f"({api['requests']:.0f} requests/s, {api['created']:,} created, "
              f"{api['non2xx']} non-2xx, p99 {api['p99']})")


if __name__ == "__main__":
    sys.exit(main())
