#!/usr/bin/env python3
"""`make run`: the embedded default — one command, everything a demo needs.

Migrates the SQLite database under var/, indexes for search the demands that have no
search document yet (a database from before the search index), loads the demo city
(idempotently), collects static files, then starts the web server (gunicorn) and the
background worker (Celery, with beat embedded) and prints where to go and how to sign
in. Ctrl-C stops both. If either process dies, the other is stopped too and the exit
status says so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def prepare_environment() -> dict[str, str]:
    env = dict(os.environ)
    Path(env.setdefault("VAR_DIR", str(ROOT / "var"))).mkdir(parents=True, exist_ok=True)
    # The secret key of the embedded default lives in VAR_DIR (see sanmanyi/settings.py).
    # The embedded default listens on plain HTTP on this machine.
    env.setdefault("SECURE_HTTPS", "0")
    env.setdefault("DJANGO_SETTINGS_MODULE", "sanmanyi.settings")
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env,
                            check=False, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(result.returncode)
    return result.stdout


def index_missing(env: dict[str, str]) -> None:
    """Write the search documents of demands that have none: a var/ database made before
    the search index existed, or a worker's indexing task lost. With nothing missing this
    is a count query and the start of manage.py (under a second; the system checks were
    just run by migrate), so it runs on every start."""
    out = manage(env, "rebuild_search_index", "--missing", "--skip-checks")
    if "待索引诉求 0 条" not in out:
        print("已为尚无检索文档的诉求建立全文检索索引 (search index completed):", flush=True)
        print(out.rstrip(), flush=True)


def banner(host: str, port: str, logins: str) -> str:
    base = f"http://{host}:{port}"
    return "\n".join([
        "",
        "三满意服务平台已启动 (Sanmanyi is running)",
        f"  公众门户 portal:   {base}/",
        f"  工作台 console:    {base}/console/",
        f"  管理后台 admin:    {base}/admin/",
        logins.rstrip(),
        "按 Ctrl-C 停止 (Ctrl-C stops the web server and the worker)",
        "",
    ])


def main() -> int:
    env = prepare_environment()
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "8000")
    manage(env, "migrate", "--noinput", "-v", "0")
    print("正在准备数据库和演示数据 (migrating, loading the demo city) …", flush=True)
    index_missing(env)
    demo = manage(env, "load_demo", "--logins")
    logins = demo[demo.index("演示账号"):]
    manage(env, "collectstatic", "--noinput", "-v", "0")

    children = {
        "web": subprocess.Popen(
            [str(BIN / "gunicorn"), "sanmanyi.wsgi", "--bind", f"{host}:{port}",
             "--workers", env.get("WEB_WORKERS", "2"), "--threads", "4",
             "--access-logfile", "-", "--graceful-timeout", "5"],
            cwd=ROOT, env=env),
        "worker": subprocess.Popen(
            [str(BIN / "celery"), "-A", "sanmanyi", "worker", "--beat", "--loglevel", "INFO",
             "--concurrency", env.get("WORKER_CONCURRENCY", "1"),
             "--schedule", str(Path(env["VAR_DIR"]) / "celerybeat-schedule")],
            cwd=ROOT, env=env),
    }

    stopping = False

    def stop(signum=None, frame=None):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    time.sleep(1.5)
    print(banner(host, port, logins), flush=True)

    status = 0
    while not stopping:
        for name, process in children.items():
            if process.poll() is not None:
                print(f"{name} exited with status {process.returncode}; stopping.", flush=True)
                status = process.returncode or 1
                stopping = True
        time.sleep(0.5)

    for process in children.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in children.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    print("已停止 (stopped).", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
