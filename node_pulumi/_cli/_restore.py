"""``node-pulumi restore``: pick the snapshot, check, confirm, reinstall, wait, report.

The checks (`check_restore`) run before the confirmation, so the prompt can say when the
snapshot was taken; a missing terminal is refused before any API call. Progress goes to
standard error (`Progress`), the one line of the result to standard output.
"""

from __future__ import annotations

import argparse
import sys

from .._api.errors import NodeError
from .._api.transport import NodeClient
from .._core.restore import carry_out, check_restore, latest_snapshot
from .._core.restore_errors import RestoreCancelledError
from .._core.restore_events import RestorePlan
from .._core.settings import Settings
from .._core.waiting import poll_intervals
from ._progress import Progress, counted, duration
from ._stack import settings_for, stack_output
from ._status import OK


class NotConfirmedError(NodeError):
    """The restore was not confirmed: declined, or no terminal to ask on and no ``--yes``."""


class InterruptedSendError(NodeError):
    """Interrupted while reinstall_server was being sent: it may or may not have started."""


def run(args: argparse.Namespace) -> int:
    """Run ``restore``; return the exit status (errors are raised, see `node_pulumi._cli`)."""
    if not args.yes and not sys.stdin.isatty():
        raise NotConfirmedError(
            "refusing to restore without confirmation: there is no terminal to ask on; pass "
            "--yes to restore without asking (CI)"
        )
    settings = settings_for(args.stack, args.cwd)
    progress = Progress(sys.stderr, live=sys.stderr.isatty())
    with settings.client() as client:
        snapshot_id = _snapshot_id(args, client, settings, progress)
        plan = check_restore(
            client,
            args.server_id,
            snapshot_id,
            client_ip_address=settings.client_ip_address,
            allow_other_server=args.allow_other_server,
            on_event=progress,
        )
        progress.say(describe(plan))
        if args.yes:
            progress.say("confirmed by --yes")
        else:
            _ask(plan)
        try:
            result = carry_out(
                client,
                plan,
                timeout=args.timeout,
                intervals=poll_intervals(first=args.poll_interval),
                on_event=progress,
            )
        except KeyboardInterrupt:
            progress.close()
            if progress.started:
                raise RestoreCancelledError(
                    plan.server_id, plan.snapshot_id, started=True, status=progress.status
                ) from None
            raise InterruptedSendError(
                f"interrupted while asking the API to reinstall server {plan.server_id}: it may "
                "or may not have started; check the server in the node.co.id panel"
            ) from None
        finally:
            progress.close()
    taken = f" (taken {result.snapshot_taken_at})" if result.snapshot_taken_at else ""
    print(
        f"server {result.server_id} is on: restored from snapshot {result.snapshot_id}{taken} "
        f"in {duration(result.elapsed)}, {counted(result.polls, 'status poll')}",
        flush=True,
    )
    return OK


def describe(plan: RestorePlan) -> str:
    """The plan in one line, with what is lost."""
    snapshot = plan.snapshot
    facts = [str(snapshot.get("snapshot_cycle") or "unknown cycle")]
    if plan.taken_at:
        facts.append(f"taken {plan.taken_at}")
    if snapshot.get("snapshot_size") is not None:
        facts.append(f"{snapshot['snapshot_size']:g} GB")
    if plan.other_server:
        facts.append(f"of server {snapshot.get('server_id')}")
    since = f"since {plan.taken_at}" if plan.taken_at else "since the snapshot was taken"
    return (
        f"restore server {plan.server_id} from snapshot {plan.snapshot_id} ({', '.join(facts)}): "
        f"everything written to server {plan.server_id} {since} is lost, and it is down while "
        "it reinstalls"
    )


def _snapshot_id(
    args: argparse.Namespace, client: NodeClient, settings: Settings, progress: Progress
) -> str:
    if args.from_output is not None:
        snapshot_id = stack_output(args.stack, args.cwd, args.from_output)
        progress.say(
            f"snapshot {snapshot_id}: the output {args.from_output!r} of stack {args.stack}"
        )
        return snapshot_id
    if args.latest:
        record = latest_snapshot(
            client, args.server_id, client_ip_address=settings.client_ip_address
        )
        snapshot_id = str(record["snapshot_id"])
        progress.say(f"snapshot {snapshot_id}: the newest active one of server {args.server_id}")
        return snapshot_id
    return str(args.snapshot_id)


def _ask(plan: RestorePlan) -> None:
    """Have the user type the server id; anything else (or end of input) stops."""
    sys.stderr.write(f"Type the server id ({plan.server_id}) to restore it, anything else stops: ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if answer.strip() != plan.server_id:
        raise NotConfirmedError(f"not confirmed: server {plan.server_id} was not restored")
