"""gunicorn for Shinchoku (deploy/systemd/shinchoku.service starts it with this file).

Threaded workers (gthread) that keep connections alive: a browser, or nginx's upstream pool,
sends its next request on the same connection instead of opening a new one, which on loopback
is most of what a page served from the shared cache costs (bench/portal_load.py: ~7,000 pages/s
with sync workers, ~11,000 with these, on 2 cores). The code shares nothing mutable between
threads without a lock (core.shared_cache, portal.serving), each thread has its own database
connection, and an upload is read in a child process of its own. More workers, or more hosts
behind one PostgreSQL, is how it scales (README "Running in production"). Every setting can be
overridden from the environment so that one file serves every host.
"""

import multiprocessing
import os

bind = os.environ.get("SHINCHOKU_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SHINCHOKU_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("SHINCHOKU_THREADS", "4"))
# A request longer than this is a bug or an attack: an upload is read in its own limited
# process (imports.worker) within 20 s of CPU, far under it.
timeout = int(os.environ.get("SHINCHOKU_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, which bounds the memory any slow leak could take; not
# often: a worker answers thousands of cached pages a second (core.shared_cache), and a new one
# starts with an empty cache.
max_requests = int(os.environ.get("SHINCHOKU_MAX_REQUESTS", "100000"))
max_requests_jitter = 10000
# Loaded once, before forking: workers share the code's memory.
preload_app = True
# nginx logs every request (deploy/nginx, /var/log/nginx/shinchoku.access.log): gunicorn's own
# access log would write each one twice and costs a tenth of a cached page's time. Set a path,
# or "-" for the journal, where no nginx is in front.
accesslog = os.environ.get("SHINCHOKU_ACCESS_LOG") or None
errorlog = "-"
# nginx on the same host adds X-Forwarded-For; gunicorn trusts it from there only.
forwarded_allow_ips = os.environ.get("SHINCHOKU_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "shinchoku"
