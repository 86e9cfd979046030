"""The shop run as production runs it, on this machine: for CI's smoke test
(`scripts/production_smoke.py`) and the load benchmark (`bench/load.py`).

`ProductionLayout` starts, each in a process of its own (or, with `image=`, in a
container of the production image, `docker run --network host`, as
`docker-compose.sandbox.yml` runs them):

- the 7digital sandbox (`manage.py runsandbox`, development settings, its own SQLite
  file: production settings refuse to mount it) and a stand-in for Stripe's API
  (`scripts/fake_stripe.py`: production refuses the test gateway);
- a fresh PostgreSQL database and a Redis database of its own, migrated with
  production settings;
- gunicorn (`gunicorn.conf.py`), a Celery worker and Celery beat, all with
  `config.settings.production` and an environment a deployment would give them, from a
  virtualenv built as the image builds it (`uv sync --frozen --no-dev`): a dependency
  that only the development install brings fails here as it would in production.

`Customer` is a visitor with a cookie jar, speaking to the shop as a browser does
(CSRF tokens, forms, redirects), for the smoke test and the load benchmark.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from scripts.fake_stripe import FakeStripe  # noqa: E402

DEVELOPMENT_PYTHON = BASE_DIR / ".venv" / "bin" / "python"
PRODUCTION_PYTHON = BASE_DIR / ".venv-production" / "bin" / "python"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
CONSUMER_KEY = "production-smoke-key"
CONSUMER_SECRET = "production-smoke-secret"  # noqa: S105 - the sandbox's, for this run
WEBHOOK_SECRET = "whsec_production_smoke"  # noqa: S105
STRIPE_KEY = "sk_test_production_smoke"
STARTUP_SECONDS = 120
HOSTNAME = socket.gethostname()


def docker(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], **options)  # noqa: S603, S607 - our arguments


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, *, timeout: float, interval: float = 0.5, what: str = "condition"):
    """Call ``check`` until it returns something truthy (returned) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except (requests.RequestException, OSError) as exc:
            last_error = exc
        else:
            if result:
                return result
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout:.0f} s (last error: {last_error!r})")


class ProductionLayout:
    """See the module's docstring. Use as a context manager; ``stop()`` always cleans up."""

    def __init__(
        self,
        folder: Path,
        *,
        python: Path = PRODUCTION_PYTHON,
        image: str | None = None,
        postgres_url: str | None = None,
        redis_url: str | None = None,
        redis_db: int = 5,
        sandbox_tracks: int = 3000,
        web_workers: int = 2,
        web_threads: int = 8,
        worker_concurrency: int = 2,
        settings: dict[str, str] | None = None,
        name: str = "smoke",
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.python = Path(python)
        self.image = image
        self.name = f"{name}-{uuid.uuid4().hex[:6]}"
        self.sandbox_tracks = sandbox_tracks
        self.worker_concurrency = worker_concurrency
        self.processes: dict[str, subprocess.Popen] = {}
        self.containers: list[str] = []
        self.logs: dict[str, Path] = {}
        self.web_port = free_port()
        self.sandbox_port = free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.mail = self.folder / "mail"
        self.mail.mkdir(exist_ok=True)
        self.mail.chmod(0o777)  # the image runs as an unprivileged user

        admin = postgres_url or os.environ.get("PRODUCTION_SMOKE_POSTGRES") or DEFAULT_POSTGRES
        self._pg_admin = admin
        self._pg_database = f"storefront_{self.name.replace('-', '_')}"
        self.database_url = admin.rsplit("/", 1)[0] + f"/{self._pg_database}"
        redis_base = redis_url or os.environ.get("PRODUCTION_SMOKE_REDIS") or DEFAULT_REDIS
        self.redis_url = redis_base.rsplit("/", 1)[0] + f"/{redis_db}"
        self.worker_node = f"{self.name}-worker@{HOSTNAME}"

        # In process here; in a container of its own with an image (see _start_stripe).
        self.stripe = None
        if image is None:
            self.stripe = FakeStripe(
                port=0,
                webhook_url=f"{self.url}/checkout/stripe/webhook/",
                webhook_secret=WEBHOOK_SECRET,
            )
        self.env = {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "SEVENDIGITAL_CONSUMER_KEY": CONSUMER_KEY,
            "SEVENDIGITAL_CONSUMER_SECRET": CONSUMER_SECRET,
            **{
                f"SEVENDIGITAL_{host}_URL": self.sandbox_url
                for host in ("API", "PREVIEWS", "MEDIA", "STREAM", "FEEDS")
            },
            "SITE_URL": self.url,
            "SECURE_SSL_REDIRECT": "false",  # no TLS proxy in front, as with compose
            "PAYMENT_GATEWAY": "stripe",
            "STRIPE_SECRET_KEY": STRIPE_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_BILLING_WEBHOOK_SECRET": f"{WEBHOOK_SECRET}_billing",
            "EMAIL_URL": f"filemail:///{'/mail' if image else self.mail}",  # an absolute path
            "PORT": str(self.web_port),
            "WEB_CONCURRENCY": str(web_workers),
            "GUNICORN_THREADS": str(web_threads),
            "LOG_LEVEL": "WARNING",
            **(settings or {}),
        }

    # -- life cycle --------------------------------------------------------------------

    def __enter__(self) -> ProductionLayout:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        self._start_stripe()
        self._start_sandbox()
        self._create_database()
        self._flush_redis()
        self.run_once("migrate", ["python", "manage.py", "migrate", "--noinput", "-v0"])
        # The image's own command: gunicorn on $PORT with its access log.
        self.spawn(
            "web",
            []
            if self.image
            else ["gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.web_port}"],
        )
        self.spawn(
            "worker",
            [
                "celery", "-A", "config", "worker", "-l", "info",
                "-n", self.worker_node, f"--concurrency={self.worker_concurrency}",
            ],
        )  # fmt: skip
        self.spawn("beat", ["celery", "-A", "config", "beat", "-l", "info"])
        wait_until(
            lambda: requests.get(f"{self.url}/healthz", timeout=5).ok,
            timeout=STARTUP_SECONDS,
            what="gunicorn answering /healthz",
        )

    def stop(self) -> None:
        if self.containers:  # together: docker stops them in parallel
            docker("stop", "-t", "20", *self.containers, capture_output=True)
        for name, process in reversed(self.processes.items()):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in 30 s: killed", file=sys.stderr)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for container in self.containers:
            docker("rm", "-f", container, capture_output=True)
        self.containers.clear()
        self.processes.clear()
        if self.stripe is not None:
            self.stripe.stop()
        with contextlib.suppress(Exception):
            self._pg_execute(f'DROP DATABASE IF EXISTS "{self._pg_database}" WITH (FORCE)')

    # -- processes or containers -------------------------------------------------------

    def _command(self, argv: list[str]) -> list[str]:
        if self.image:
            return argv
        program = argv[0]
        if program == "python":
            return [str(self.python), *argv[1:]]
        return [str(self.python), "-m", program, *argv[1:]]

    def _process_env(self) -> dict[str, str]:
        inherited = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
        return {**inherited, **self.env}

    def _docker_run(
        self,
        name: str,
        argv: list[str],
        *,
        detach: bool,
        env: dict[str, str] | None = None,
        volumes: tuple[str, ...] = (),
    ) -> list[str]:
        env = self.env if env is None else env
        # The shop's own processes are PID 1 of their containers, as in production (they
        # handle SIGTERM); the sandbox and the Stripe stand-in get an init, as in compose.
        init = ["--init"] if env is not self.env else []
        return [
            "docker", "run", "--network", "host", "--name", name, *init,
            "-v", f"{self.mail}:/mail", *(f"--volume={volume}" for volume in volumes),
            *(item for key, value in env.items() for item in ("-e", f"{key}={value}")),
            *(["-d"] if detach else ["--rm"]), self.image, *argv,
        ]  # fmt: skip

    def spawn(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        volumes: tuple[str, ...] = (),
    ) -> None:
        """Start a service: in a container of the image (``env`` replaces the shop's
        environment), or as a process of the production virtualenv."""
        log_path = self.folder / f"{name}.log"
        self.logs[name] = log_path
        with log_path.open("w") as log:
            if self.image:
                container = f"{self.name}-{name}"
                run = self._docker_run(container, argv, detach=True, env=env, volumes=volumes)
                subprocess.run(run, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
                self.containers.append(container)
                command = ["docker", "logs", "-f", container]
                env = None
            else:
                command = self._command(argv)
                env = self._process_env()
            self.processes[name] = subprocess.Popen(  # noqa: S603 - fixed commands
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def run_once(self, name: str, argv: list[str], timeout: float = 300) -> str:
        if self.image:
            command = self._docker_run(f"{self.name}-{name}", argv, detach=False)
            env = None
        else:
            command, env = self._command(argv), self._process_env()
        result = subprocess.run(  # noqa: S603 - fixed commands
            command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(f"{name} failed ({result.returncode}):\n{result.stderr[-3000:]}")
        return result.stdout

    def exec(self, service: str, argv: list[str], timeout: float = 60):
        """Run ``argv`` as the service's own health check would: inside its container,
        or beside its process with the same environment. Returns the completed process."""
        if self.image:
            command = ["docker", "exec", f"{self.name}-{service}", *argv]
            env = None
        else:
            command, env = self._command(argv), self._process_env()
        return subprocess.run(  # noqa: S603 - fixed commands
            command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
        )

    def worker_alive(self) -> bool:
        """The worker's health check: it answers a ping over the broker."""
        ping = ["celery", "-A", "config", "inspect", "ping", "-d", self.worker_node, "-t", "5"]
        return self.exec("worker", ping).returncode == 0

    def beat_alive(self) -> bool:
        """Beat's health check: it answers a ping only while its scheduler ticks."""
        node = f"celerybeat@{HOSTNAME}"
        ping = ["celery", "-A", "config", "inspect", "ping", "-d", node, "-t", "5"]
        return self.exec("beat", ping).returncode == 0

    def alive(self) -> dict[str, bool]:
        """Which of web, worker and beat are still running."""
        if self.image:
            running = {}
            for name in ("web", "worker", "beat"):
                inspect = docker(
                    "inspect", "-f", "{{.State.Running}}", f"{self.name}-{name}",
                    capture_output=True,
                    text=True,
                )  # fmt: skip
                running[name] = inspect.stdout.strip() == "true"
            return running
        return {name: self.processes[name].poll() is None for name in ("web", "worker", "beat")}

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # -- the sandbox, PostgreSQL and Redis ------------------------------------------------

    def _start_stripe(self) -> None:
        if self.stripe is not None:
            self.stripe.start()
            self.env["STRIPE_API_BASE"] = self.stripe.url
            return
        # As docker-compose.sandbox.yml's `stripe` service runs it.
        port = free_port()
        self.env["STRIPE_API_BASE"] = f"http://127.0.0.1:{port}"
        self.spawn(
            "stripe",
            [
                "python", "/fake/scripts/fake_stripe.py", "--host", "127.0.0.1",
                "--port", str(port), "--recorded", "/fake/recorded",
                "--webhook-url", f"{self.url}/checkout/stripe/webhook/",
                "--webhook-secret", WEBHOOK_SECRET,
            ],
            env={},
            volumes=(
                f"{BASE_DIR / 'scripts'}:/fake/scripts:ro",
                f"{BASE_DIR / 'tests/store/checkout/stripe_recorded'}:/fake/recorded:ro",
            ),
        )  # fmt: skip
        wait_until(
            lambda: requests.get(f"{self.env['STRIPE_API_BASE']}/_fake/events", timeout=5).ok,
            timeout=STARTUP_SECONDS,
            what="the Stripe stand-in answering",
        )

    def _start_sandbox(self) -> None:
        env = {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "SEVENDIGITAL_SANDBOX_URL": self.sandbox_url,
            "SEVENDIGITAL_CONSUMER_KEY": CONSUMER_KEY,
            "SEVENDIGITAL_CONSUMER_SECRET": CONSUMER_SECRET,
        }
        argv = [
            "python", "manage.py", "runsandbox",
            "--host", "127.0.0.1", "--port", str(self.sandbox_port),
            "--tracks", str(self.sandbox_tracks),
        ]  # fmt: skip
        if self.image:
            # As docker-compose.sandbox.yml's `sandbox` service runs it.
            self.spawn(
                "sandbox",
                argv,
                env={
                    **env,
                    "DATABASE_URL": "sqlite:////home/app/sandbox-store.sqlite3",
                    "SANDBOX_DATABASE_URL": "sqlite:////home/app/sandbox.sqlite3",
                    "SANDBOX_AUDIO_CACHE": "/home/app/audio",
                },
            )
        else:
            log_path = self.folder / "sandbox.log"
            self.logs["sandbox"] = log_path
            env.update(
                {
                    "PATH": os.environ.get("PATH", ""),
                    "HOME": os.environ.get("HOME", str(self.folder)),
                    "DATABASE_URL": f"sqlite:///{self.folder / 'sandbox-store.sqlite3'}",
                    "SANDBOX_DATABASE_URL": f"sqlite:///{self.folder / 'sandbox.sqlite3'}",
                    "SANDBOX_AUDIO_CACHE": str(BASE_DIR / ".sandbox-audio"),
                }
            )
            with log_path.open("w") as log:
                self.processes["sandbox"] = subprocess.Popen(  # noqa: S603 - our manage.py
                    [str(DEVELOPMENT_PYTHON), *argv[1:]],
                    cwd=BASE_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

        def answers():
            process = self.processes["sandbox"]
            if process.poll() is not None and not self.image:
                raise RuntimeError(f"the sandbox exited:\n{self.log_tail('sandbox')}")
            return requests.get(f"{self.sandbox_url}/_sandbox/health", timeout=5).ok

        wait_until(answers, timeout=STARTUP_SECONDS + 120, what="the sandbox answering")

    def _pg_execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self._pg_admin, autocommit=True, connect_timeout=5) as db:
            db.execute(statement)

    def _create_database(self) -> None:
        self._pg_execute(f'CREATE DATABASE "{self._pg_database}"')

    def _flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()

    # -- what the sandbox saw ----------------------------------------------------------

    def sandbox(self, path: str, **params) -> dict:
        response = requests.get(f"{self.sandbox_url}/_sandbox/{path}", params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def partner_users(self) -> set[str]:
        users = self.sandbox("users", consumer_key=CONSUMER_KEY)["users"]
        return {user["user_id"] for user in users}


# -- a customer --------------------------------------------------------------------------


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_return_ok_secure = http.cookiejar.DefaultCookiePolicy.return_ok_secure


def _loopback_is_a_secure_context(policy, cookie, request):
    """Browsers treat http://127.0.0.1 as a secure context and send it the `Secure`
    cookies production sets; Python's cookie jar does not. requests copies the jar (and
    its policy) for every request, so the policy is taught here, for loopback only."""
    if urlsplit(request.get_full_url()).hostname in LOOPBACK:
        return True
    return _return_ok_secure(policy, cookie, request)


http.cookiejar.DefaultCookiePolicy.return_ok_secure = _loopback_is_a_secure_context


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ORDER_PATH = re.compile(r"/orders/([^/]+)/$")
ORDER_STATUS = re.compile(r'class="order-status status-([a-z_]+)"')


class CustomerError(AssertionError):
    pass


class Customer:
    """A visitor to the shop: a cookie jar, CSRF tokens and forms, as a browser has."""

    def __init__(self, layout: ProductionLayout, *, timeout: float = 30) -> None:
        self.layout = layout
        self.base = layout.url
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "Mozilla/5.0 (production smoke) Chrome/156"
        self.email = f"customer-{uuid.uuid4().hex[:12]}@example.com"
        self.password = secrets.token_urlsafe(16)

    # plain requests, recorded by whoever wraps them (bench/load.py counts them)
    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return self.http.request(method, urljoin(self.base, path), **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def page(self, path: str, **kwargs) -> requests.Response:
        response = self.get(path, **kwargs)
        if response.status_code != 200:
            raise CustomerError(f"GET {path} answered {response.status_code}")
        return response

    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def post_form(self, path: str, data: dict, *, page: str | None = None) -> requests.Response:
        """Load the form's page (for the CSRF cookie and token), then post the form."""
        form_page = self.page(page or path)
        token = CSRF_INPUT.search(form_page.text)
        data = {"csrfmiddlewaretoken": token.group(1) if token else self.csrf(), **data}
        return self.request("POST", path, data=data, headers={"Referer": form_page.url})

    # -- journeys --------------------------------------------------------------------

    def sign_up(self) -> None:
        response = self.post_form(
            "/accounts/signup/",
            {"email": self.email, "password1": self.password, "password2": self.password},
        )
        if response.status_code != 200 or "/accounts/confirm-email/" not in response.url:
            raise CustomerError(f"sign-up answered {response.status_code} at {response.url}")

    def confirm_email(self, timeout: float = 30) -> None:
        """Open the confirmation link from the email (production's file backend here)."""

        def link():
            for message in sorted(self.layout.mail.glob("*.log")):
                text = message.read_text(errors="replace")
                if f"To: {self.email}" in text:
                    found = re.search(r"(https?://\S+/accounts/confirm-email/\S+/)", text)
                    return found.group(1) if found else None
            return None

        url = wait_until(link, timeout=timeout, what=f"the confirmation email to {self.email}")
        path = urlsplit(url).path
        response = self.post_form(path, {})
        if response.status_code != 200 or "/accounts/confirm-email/" in response.url:
            raise CustomerError(f"confirming the email answered {response.status_code}")

    def browse(self, path: str) -> requests.Response:
        return self.page(path)

    def play_preview(self, track_id: int, seconds: float = 3.0) -> None:
        """Fetch the clip, start a play, listen ``seconds`` and stop: the site reports no
        more seconds than have passed since the start (nor a play of a clip unfetched)."""
        clip = self.get(f"/previews/{track_id}")
        if clip.status_code != 200 or not clip.headers.get("Content-Type", "").startswith("audio/"):
            raise CustomerError(f"the preview of {track_id} answered {clip.status_code}")
        headers = {"X-CSRFToken": self.csrf()}
        start = self.request("POST", f"/previews/{track_id}/plays", headers=headers)
        if start.status_code != 201:
            raise CustomerError(f"starting a play answered {start.status_code}")
        play = start.json()["play"]
        time.sleep(seconds)
        stop = self.request(
            "POST", f"/previews/plays/{play}/stop", data={"seconds": seconds}, headers=headers
        )
        if stop.status_code != 204:
            raise CustomerError(f"stopping a play answered {stop.status_code}")

    def add_to_basket(self, *, release: int | None = None, track: int | None = None) -> None:
        item = {"release": release} if release else {"track": track}
        page = f"/releases/{release}/" if release else f"/tracks/{track}/"
        response = self.post_form("/basket/add/", {**item, "package": 2}, page=page)
        if response.status_code != 200:
            raise CustomerError(f"adding to the basket answered {response.status_code}")

    def buy(self, timeout: float = 60) -> str:
        """Check out, pay on the (fake) Stripe page and come back; return the order's
        number once the order page shows it complete."""
        response = self.post_form("/checkout/", {}, page="/checkout/")
        found = ORDER_PATH.search(response.url)
        if response.status_code != 200 or not found:
            raise CustomerError(f"paying answered {response.status_code} at {response.url}")
        number = found.group(1)

        def complete():
            status = ORDER_STATUS.search(self.page(f"/orders/{number}/").text)
            if status and status.group(1) == "needs_attention":
                raise CustomerError(f"order {number} needs attention")
            return status and status.group(1) == "complete"

        wait_until(complete, timeout=timeout, interval=1, what=f"order {number} complete")
        return number

    def owns(self, title: str) -> bool:
        return title in self.page("/locker/").text


def print_json(data) -> None:
    print(json.dumps(data, indent=2, default=str))
