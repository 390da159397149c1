"""`python -m palm COMMAND`: serve, api, migrate, create-user, set-role, ping, analyze,
rebuild-rollups, rotate-keys."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from palm.db import transaction
from palm.errors import PalmError
from palm.infra import RedisUnavailableError, configure_logging
from palm.migrate import MigrationError, upgrade_to_head
from palm.runtime import Runtime
from palm.settings import get_settings
from palm.vocabulary import Role

EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m palm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="migrations, Redis, workers and the Streamlit app")
    api = commands.add_parser("api", help="the REST API alone (uvicorn on PALM_API_PORT)")
    api.add_argument(
        "--print-schema",
        action="store_true",
        help="print the OpenAPI document (docs/api/openapi-v1.json) instead of serving",
    )
    commands.add_parser("migrate", help="apply database migrations")
    create = commands.add_parser("create-user", help="create an account")
    create.add_argument("email")
    create.add_argument("--role", choices=[role.value for role in Role], default=Role.USER.value)
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    role = commands.add_parser("set-role", help="change an account's role")
    role.add_argument("email")
    role.add_argument("role", choices=[role.value for role in Role])
    commands.add_parser("ping", help="run a ping job through Redis and a worker")
    commands.add_parser("rebuild-rollups", help="recompute the trend rollups from the readings")
    rotate = commands.add_parser(
        "rotate-keys",
        help="re-encrypt everything at rest under the first key of PALM_ENCRYPTION_KEYS",
        description="Re-encrypt photos, thumbnails, overlays, reading texts, chat text and "
        "the Redis caches under the newest key, so older keys can be removed afterwards. "
        "Resumes where an interrupted run stopped; a finished run is not redone.",
    )
    rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction")
    rotate.add_argument(
        "--restart", action="store_true", help="start a full pass again for the same key"
    )
    commands.add_parser(
        "analyze", help="analyse palm photos (see `analyze --help`)", add_help=False
    )
    return parser


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise PalmError("PASSWORD_MISMATCH", "The two passwords differ.")
    return first


def _create_user(runtime: Runtime, args: argparse.Namespace) -> int:
    from palm.accounts import create_user

    password = _read_password(args.password_stdin)
    with transaction(runtime.session_factory) as session:
        user = create_user(
            session,
            args.email,
            password,
            Role(args.role),
            min_password_length=runtime.settings.palm_min_password_length,
        )
    print(f"created {user.email} ({user.role})")
    return 0


def _set_role(runtime: Runtime, args: argparse.Namespace) -> int:
    from palm.accounts import assign_role, find_by_email

    with transaction(runtime.session_factory) as session:
        user = find_by_email(session, args.email)
        if user is None:
            raise PalmError("NOT_FOUND", f"No account {args.email}.")
        assign_role(session, user, Role(args.role), actor="cli")
    print(f"{user.email} is now {user.role}")
    return 0


def _rebuild_rollups(runtime: Runtime) -> int:
    from palm.readings import rebuild

    with transaction(runtime.session_factory) as session:
        rebuild(session)
    print("trend rollups rebuilt")
    return 0


def _rotate_keys(runtime: Runtime, args: argparse.Namespace) -> int:
    from palm.infra import primary_key_id
    from palm.rotation import rotate_keys

    if args.batch_size < 1:
        raise PalmError("BAD_BATCH_SIZE", "--batch-size must be at least 1.")
    key_id = primary_key_id(runtime.settings)
    print(f"re-encrypting everything under key {key_id}", flush=True)
    try:
        results = rotate_keys(
            runtime.session_factory,
            runtime.blob_store,
            runtime.redis,
            runtime.cipher,
            key_id,
            batch_size=args.batch_size,
            restart=args.restart,
            report=lambda line: print(line, flush=True),
        )
    except KeyboardInterrupt:
        print("interrupted: run rotate-keys again to resume after the last batch", flush=True)
        return EXIT_INTERRUPTED
    done = sum(result.done for result in results if not result.earlier)
    print(f"done: {done} item(s) re-encrypted; the keys after the first can now be removed")
    return 0


def _ping(runtime: Runtime) -> int:
    from palm.jobs import ping_policy
    from palm.ops import run_ping

    if runtime.queues is None:
        raise PalmError("NO_REDIS_URL", "Set REDIS_URL to the Redis the workers use.")
    policy = ping_policy(runtime.settings)
    print(run_ping(runtime.session_factory, runtime.queues, policy, timeout=30.0))
    return 0


COMMANDS = {
    "create-user": _create_user,
    "set-role": _set_role,
    "rotate-keys": _rotate_keys,
}


def _run(runtime: Runtime, args: argparse.Namespace) -> int:
    if args.command == "serve":
        from palm.launcher import serve

        return serve(runtime.settings)
    if args.command == "api":
        from palm.api import schema_text
        from palm.api import serve as serve_api

        if args.print_schema:
            print(schema_text(), end="")
            return 0
        return serve_api(runtime.settings)
    if args.command == "migrate":
        upgrade_to_head(runtime.settings.resolved_database_url, runtime.cipher)
        return 0
    if args.command in COMMANDS:
        return COMMANDS[args.command](runtime, args)
    if args.command == "rebuild-rollups":
        return _rebuild_rollups(runtime)
    return _ping(runtime)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["analyze"]:
        from palm.vision import run_cli

        return run_cli(argv[1:])
    args = _parser().parse_args(argv)
    settings = get_settings()
    configure_logging(settings.palm_log_level, settings.palm_log_format)
    runtime = Runtime(settings)
    try:
        return _run(runtime, args)
    except (MigrationError, RedisUnavailableError) as exc:
        print(f"palm: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except PalmError as exc:
        print(f"palm: {exc.message} [{exc.code}]", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        runtime.close()
