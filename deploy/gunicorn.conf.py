"""gunicorn's settings for LLCT (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Everything can be overridden from the environment: WEB_CONCURRENCY (worker processes, default
2 x cores + 1), WEB_THREADS (threads per process), BIND, GUNICORN_TIMEOUT."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads let a process overlap its database waits and keep connections alive behind the proxy.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A fresh process now and then bounds any slow growth of memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Django's middleware writes one JSON line per request (without the query string, which may
# hold a search for a name); gunicorn's access log would repeat it with the query string.
accesslog = None
errorlog = "-"
# The proxy on this machine sets X-Forwarded-Proto; gunicorn trusts it from there only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the app before forking: workers share its memory and start at once.
preload_app = True
# No runtime control socket: several servers may run on one machine, and nothing uses it.
control_socket_disable = True
