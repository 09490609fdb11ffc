"""Running Slurm's client commands (``sacctmgr``, ``sacct``) from the portal.

Commands are run with an argument list (never through a shell), with ``TZ=UTC``
(the accounting import reads UTC times) and a timeout. A command that is missing,
fails or does not answer in time raises :class:`SlurmCommandError` with a reason
that staff can act on; callers change nothing in the portal when it is raised.

Which executables are run and how long they may take come from the settings
``SLURM_SACCTMGR``, ``SLURM_SACCT``, ``SLURM_COMMAND_TIMEOUT`` and
``SLURM_SACCT_TIMEOUT`` (see ``.env.example``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

#: Lines of a failing command's error output kept in the reason.
STDERR_LINES = 5


class SlurmCommandError(Exception):
    """A Slurm command could not be run, failed or timed out; ``str(exc)`` says which and why."""


class SlurmBusy(Exception):
    """Another run of the same work on the same cluster holds the lock."""


def executable(name: str) -> str:
    """The configured path of ``name`` (``"sacctmgr"`` or ``"sacct"``), resolved on ``PATH``.

    Raises :class:`SlurmCommandError` when it cannot be found or run.
    """
    configured = {"sacctmgr": settings.SLURM_SACCTMGR, "sacct": settings.SLURM_SACCT}[name]
    path = shutil.which(configured)
    if path is None:
        raise SlurmCommandError(
            _("%(command)s was not found (looked for “%(path)s”): install Slurm's client "
              "commands on this machine or set SLURM_%(upper)s to their path.")
            % {"command": name, "path": configured, "upper": name.upper()})
    return path


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["TZ"] = "UTC"
    return env


def _describe(args: Sequence[str]) -> str:
    return shlex.join([os.path.basename(args[0]), *args[1:]])


def run_slurm(name: str, arguments: Sequence[str], *, timeout: float | None = None,
              stdout=None) -> str:
    """Run ``name`` (``"sacctmgr"`` or ``"sacct"``) with ``arguments`` and return its output.

    Args:
        name: which command; its path comes from the settings (:func:`executable`).
        arguments: the arguments, as a list (no shell is involved).
        timeout: seconds before the command is killed (default
            ``SLURM_COMMAND_TIMEOUT``).
        stdout: a binary file to write the output to, instead of returning it (then
            ``""`` is returned): for ``sacct`` outputs that may be large.

    Raises:
        SlurmCommandError: the command is missing, cannot be executed, exits with a
            non-zero status (the reason carries the last lines of its error output)
            or runs longer than ``timeout``.
    """
    args = [executable(name), *arguments]
    timeout = settings.SLURM_COMMAND_TIMEOUT if timeout is None else timeout
    try:
        completed = subprocess.run(  # noqa: S603 (argument list, no shell)
            args, stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else subprocess.PIPE,
            stderr=subprocess.PIPE, env=_environment(), timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise SlurmCommandError(
            _("%(command)s did not answer within %(seconds)g s (is slurmdbd reachable?).")
            % {"command": _describe(args), "seconds": timeout}) from None
    except OSError as exc:
        raise SlurmCommandError(_("%(command)s could not be run: %(error)s")
                                % {"command": _describe(args), "error": exc.strerror or exc}
                                ) from exc
    error_text = completed.stderr.decode("utf-8", "replace").strip()
    if completed.returncode != 0:
        output = error_text
        if not output and completed.stdout:
            output = completed.stdout.decode("utf-8", "replace").strip()
        tail = " / ".join(output.splitlines()[-STDERR_LINES:]) or _("no message")
        raise SlurmCommandError(_("%(command)s failed (exit status %(status)d): %(message)s")
                                % {"command": _describe(args), "status": completed.returncode,
                                   "message": tail})
    if stdout is not None:
        return ""
    return completed.stdout.decode("utf-8", "replace")


@contextmanager
def cluster_lock(*, work: str, cluster: str, seconds: int) -> Iterator[None]:
    """Hold the lock of ``work`` (``"sync"``, ``"collect"``) on ``cluster`` while inside.

    A second run of the same work on the same cluster (the beat task and a command
    started by hand) raises :class:`SlurmBusy` instead of running alongside. The
    lock lives in the cache shared by every process and expires after ``seconds``,
    so a worker that dies does not keep it.
    """
    key = f"algoric:slurm-lock:{work}:{cluster.lower()}"
    if not cache.add(key, "1", timeout=seconds):
        raise SlurmBusy(_("Another %(work)s of cluster %(cluster)s is running.")
                        % {"work": work, "cluster": cluster})
    try:
        yield
    finally:
        cache.delete(key)
