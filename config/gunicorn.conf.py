"""gunicorn settings, read from the environment: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

The defaults suit 2 cores: 2 worker processes of 4 threads each (requests mostly wait on PostgreSQL).
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Common log format plus the request time in ms and the request id the API sends back (X-Request-ID).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
# No control socket: its default path is per user, shared by every gunicorn on the machine.
control_socket_disable = True
# gunicorn trusts no forwarded header itself; Django does, per TRUSTED_PROXIES (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = ""
