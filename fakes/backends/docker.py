"""A throwaway PostgreSQL in a container (testcontainers), for machines with a Docker engine.

``--backend docker`` starts ``postgres`` in a container with a random password, marks
its database as a drill sandbox (drills created it, so it is one), runs the drill in
a schema there like any PostgreSQL backend, and removes the container when the store
closes. Without a reachable Docker engine the user gets one line saying so and what
to use instead. The container start is the only part that needs Docker; tests fake
it at the testcontainers boundary (``PostgresContainer``) and run the rest for real.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import secrets
import warnings
from types import ModuleType
from typing import Any

import sqlalchemy as sa

from drills.fakes.backends.base import BackendError
from drills.fakes.backends.postgres import (
    INSTALL_HINT,
    PostgresBackend,
    admin_engine,
    connect_error,
    require_psycopg,
)
from drills.fakes.backends.sandbox import is_sandbox, mark

__all__ = ["DEFAULT_IMAGE", "DockerBackend", "container_module"]

DEFAULT_IMAGE = "postgres:16-alpine"
"""The image ``--backend docker`` starts; ``DRILLS_DOCKER_IMAGE`` overrides it."""

_USER = "drills"
_DATABASE = "drills"


def container_module() -> ModuleType:
    """The module holding testcontainers' ``PostgresContainer`` (it moved in 4.x)."""
    for name in ("testcontainers.community.postgres", "testcontainers.postgres"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise BackendError(
        f"--backend docker needs testcontainers, which is not installed: {INSTALL_HINT}"
    )


def _start(image: str) -> Any:
    """Start the container, or fail with one line: no Docker engine is the usual reason."""
    container_class = container_module().PostgresContainer
    container: Any = None
    failure: str | None = None
    # docker-py leaves the socket of a failed engine probe open; let it be collected
    # here, quietly, rather than warn at exit after the one line the user should see.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            container = container_class(
                image, username=_USER, password=secrets.token_urlsafe(18), dbname=_DATABASE,
                driver=None,
            )
            container.start()
        except Exception as err:
            if container is not None:
                _stop_quietly(container)
            failure = f"{type(err).__name__}: {' '.join(str(err).split())[:120]}"
        gc.collect()
    if failure is not None:
        raise BackendError(
            f"--backend docker needs a running Docker engine, and none answered ({failure}); "
            "start Docker, or drill on a PostgreSQL you have: --backend postgresql://USER@HOST/DB"
        )
    return container


def _stop_quietly(container: Any) -> None:
    with contextlib.suppress(Exception):
        container.stop()


class DockerBackend(PostgresBackend):
    """A :class:`PostgresBackend` on a PostgreSQL container that lives as long as the store."""

    name = "docker"

    def __init__(self, *, keep: bool = False, image: str | None = None) -> None:
        if keep:
            raise BackendError(
                "--keep cannot keep a drill on --backend docker: the container is removed "
                "when the drill ends; keep it on a PostgreSQL of yours with "
                "--backend postgresql://USER@HOST/DB --keep"
            )
        require_psycopg()
        self.image = image or os.environ.get("DRILLS_DOCKER_IMAGE") or DEFAULT_IMAGE
        container = _start(self.image)
        try:
            url = str(container.get_connection_url(driver=None))
            admin = admin_engine(url)
            try:
                with admin.begin() as conn:
                    if not is_sandbox(conn):
                        mark(conn, by="drills --backend docker",
                             note=f"throwaway container {self.image}, created by drills")
            except sa.exc.OperationalError as err:
                raise connect_error(err, url) from None
            finally:
                admin.dispose()
            super().__init__(url)
        except BaseException:
            _stop_quietly(container)
            raise
        self._container = container

    @property
    def location(self) -> str:
        return f"docker {self.image}"

    def dispose(self) -> None:
        mine = os.getpid() == self._pid and not self._disposed
        try:
            super().dispose()
        finally:
            if mine:
                _stop_quietly(self._container)
