"""The not-found rule (node_pulumi/_core/gone.py) over plausible answers of the real API, whose
codes are undocumented, and the core's operations under it against the sandbox's fault that
answers any code and message: an answer about the caller never makes a snapshot "gone"."""

from __future__ import annotations

import re

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from node_pulumi import (
    NodeApiError,
    NodeClient,
    NodeDecodeError,
    NodeTransportError,
    SnapshotUncertainError,
)
from node_pulumi._core.gone import ADDRESSED, SERVER, SNAPSHOT, is_gone
from node_pulumi._core.schedule import clear_schedule
from node_pulumi._core.snapshots import (
    delete_snapshot,
    read_snapshot,
    require_snapshot,
    start_snapshot,
)
from node_pulumi.sandbox import NOT_FOUND, SERVER_NOT_FOUND, Sandbox

SNAPSHOT_FUNCTIONS = [f for f, noun in ADDRESSED.items() if noun == SNAPSHOT]
SERVER_FUNCTIONS = [f for f, noun in ADDRESSED.items() if noun == SERVER]
OTHER_FUNCTIONS = ["create_snapshot", "get_snapshot_list", "reinstall_server"]

CREDENTIALS = [
    ("USER_NOT_FOUND", "User not found."),
    ("NOT_FOUND", "User not found."),
    ("ERROR", "User not found."),
    ("INVALID_USER", "Invalid user_id."),
    ("ERROR", "API key does not exist."),
    ("KEY_NOT_FOUND", "Key not found."),
    ("APIKEY_NOT_FOUND", ""),
    ("NOT_FOUND", "Account not found."),
    ("INVALID_CHECKSUM", "Invalid checksum."),
    ("CHECKSUM_NOT_FOUND", "Checksum does not exist."),
    ("AUTH_FAILED", "Snapshot not found."),
]

SNAPSHOT_GONE = [
    (NOT_FOUND, "Snapshot not found."),  # the sandbox's
    ("SNAPSHOT_NOT_FOUND", ""),
    ("ERROR", "Snapshot 5099jlihpkzs not found."),
    ("ERROR", "Snapshot ID not found"),
    ("ERROR", "The snapshot you requested does not exist."),
    ("ERROR", "snapshot_id does not exist"),
    ("FAILED", "Snapshot could not be found."),
    ("FAILED", "No such snapshot."),
    ("FAILED", "Unknown snapshot 'abc'."),
    ("404", "Snapshot doesn't exist"),
    ("ERROR", "Snapshot not found for this user."),  # the user only scopes the snapshot
    ("ERROR", "No such snapshot in your account."),
]

SERVER_GONE = [
    (SERVER_NOT_FOUND, "Server 99 not found."),  # the sandbox's
    ("ERROR", "Server not found."),
    ("ERROR", "The server_id does not exist."),
    ("NOT_FOUND", "No such server"),
]

NOT_GONE = [
    (NOT_FOUND, "Not found."),  # names nothing: could be about anything
    (NOT_FOUND, ""),
    ("ERROR", "Data not found."),
    ("ERROR", "Record not found."),
    ("ERROR", "Page not found."),
    ("UNKNOWN_FUNCTION", "Unknown function get_snapshot_detail."),
    ("MISSING_PARAMETER", "Missing parameter snapshot_id."),
    ("INVALID_PARAMETER", "Invalid parameter snapshot_id: at most 50 characters."),
    ("ERROR", "Snapshot has been deleted."),
    ("E_LOCKED", "Snapshot is locked."),
    ("ERROR", "Snapshot is still processing."),
    ("MAINTENANCE", "Try again later."),
]


def error(function: str, code: str, message: str, http_status: int = 200) -> NodeApiError:
    return NodeApiError(code, message, function, http_status)


@pytest.mark.parametrize("function", SNAPSHOT_FUNCTIONS)
@pytest.mark.parametrize(("code", "message"), SNAPSHOT_GONE)
def test_an_answer_naming_the_snapshot_as_missing_means_gone(
    function: str, code: str, message: str
) -> None:
    assert is_gone(error(function, code, message))


@pytest.mark.parametrize("function", SERVER_FUNCTIONS)
@pytest.mark.parametrize(("code", "message"), SERVER_GONE)
def test_an_answer_naming_the_server_as_missing_means_gone(
    function: str, code: str, message: str
) -> None:
    assert is_gone(error(function, code, message))


@pytest.mark.parametrize("function", [*ADDRESSED, *OTHER_FUNCTIONS])
@pytest.mark.parametrize(("code", "message"), CREDENTIALS)
def test_an_answer_about_the_caller_never_means_gone(
    function: str, code: str, message: str
) -> None:
    answer = error(function, code, message)
    assert answer.is_credentials_error
    assert not is_gone(answer)


@pytest.mark.parametrize("function", [*ADDRESSED, *OTHER_FUNCTIONS])
@pytest.mark.parametrize(("code", "message"), NOT_GONE)
def test_an_answer_that_names_no_missing_object_is_not_gone(
    function: str, code: str, message: str
) -> None:
    assert not is_gone(error(function, code, message))


@pytest.mark.parametrize(("code", "message"), [*SNAPSHOT_GONE, *SERVER_GONE])
def test_only_the_functions_that_address_an_object_can_say_it_is_gone(
    code: str, message: str
) -> None:
    for function in OTHER_FUNCTIONS:
        assert not is_gone(error(function, code, message))


def test_the_other_object_missing_is_not_this_one_gone() -> None:
    for function in SNAPSHOT_FUNCTIONS:
        assert not is_gone(error(function, SERVER_NOT_FOUND, "Server 12 not found."))
        assert not is_gone(error(function, "ERROR", "Snapshot of server 12 not found."))
    for function in SERVER_FUNCTIONS:
        assert not is_gone(error(function, NOT_FOUND, "Snapshot not found."))


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_by_http_status_is_never_gone(status: int) -> None:
    assert not is_gone(error("get_snapshot_detail", NOT_FOUND, "Snapshot not found.", status))


def test_errors_that_are_not_api_answers_are_never_gone() -> None:
    assert not is_gone(
        NodeTransportError("delete_snapshot", "HTTP 404", may_have_reached_server=True)
    )
    assert not is_gone(NodeDecodeError("get_snapshot_detail", "invalid JSON"))


CALLER = st.sampled_from(
    ["user", "User", "USER", "user_id", "userid", "account", "API key", "api_key", "apikey",
     "key", "checksum", "credentials", "token", "authentication", "Unauthorized"]
)  # fmt: skip
MISSING = st.sampled_from(
    ["not found", "NOT_FOUND", "does not exist", "doesn't exist", "no longer exists",
     "could not be found", "is unknown"]
)  # fmt: skip
FILLER = st.text(st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=20)


NOT_CALLER = st.text(
    st.characters(codec="ascii", categories=["Ll", "Lu", "Nd", "Zs"]), max_size=20
).filter(lambda t: re.search(CALLER_WORDS, t.lower()) is None)
CALLER_WORDS = r"user|account|key|checksum|credential|token|auth"


@given(
    st.sampled_from([*ADDRESSED, *OTHER_FUNCTIONS]),
    st.sampled_from(["snapshot", "Snapshot", "SNAPSHOT", "server", "Server", ""]),
    CALLER,
    MISSING,
    FILLER,
    FILLER,
    st.booleans(),
)
def test_whatever_else_it_says_an_answer_whose_caller_failed_is_not_gone(
    function: str,
    noun: str,
    caller: str,
    missing: str,
    before: str,
    after: str,
    in_code: bool,
) -> None:
    text = f"{before} {noun} {missing}, {caller} {missing} {after}"
    code, message = (f"{caller}_NOT_FOUND", text) if in_code else ("ERROR", text)
    answer = error(function, code, message)
    assert answer.is_credentials_error
    assert not is_gone(answer)


@given(
    st.sampled_from([(SNAPSHOT, "Snapshot"), (SERVER, "Server")]),
    st.sampled_from(["user", "this user", "your account", "user_id 10001", "the API key"]),
    MISSING.filter(lambda wording: wording != "is unknown"),
    NOT_CALLER,
    st.sampled_from([*ADDRESSED, *OTHER_FUNCTIONS]),
)
def test_a_caller_word_that_only_scopes_a_missing_object_is_no_credentials_error(
    noun: tuple[str, str], scope: str, missing: str, before: str, function: str
) -> None:
    """ "Snapshot not found for this user.": the snapshot is what is missing, the user only where
    it was looked for; it is gone exactly when the function addresses a snapshot."""
    answer = error(function, "ERROR", f"{before} {noun[1]} {missing} for {scope}.")
    assert not answer.is_credentials_error
    assert is_gone(answer) == (ADDRESSED.get(function) == noun[0])


@given(st.sampled_from(OTHER_FUNCTIONS), FILLER, FILLER)
def test_no_wording_makes_a_create_or_a_listing_say_gone(
    function: str, before: str, after: str
) -> None:
    assert not is_gone(error(function, "NOT_FOUND", f"{before} Snapshot not found {after}"))


@given(
    st.sampled_from(SNAPSHOT_FUNCTIONS),
    st.text(st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=40),
)
def test_without_the_word_snapshot_no_message_makes_a_snapshot_gone(
    function: str, message: str
) -> None:
    if "snapshot" in message.lower():
        return
    assert not is_gone(error(function, NOT_FOUND, message))


# the operations, against the sandbox's any-code fault -------------------------------------------


@pytest.fixture
def snapshot_id(client: NodeClient) -> str:
    return str(client.create_snapshot("12")["snapshot_id"])


@pytest.mark.parametrize(("code", "message"), CREDENTIALS[:5])
def test_read_require_and_delete_raise_a_credentials_answer_with_the_hint(
    client: NodeClient, sandbox: Sandbox, snapshot_id: str, code: str, message: str
) -> None:
    sandbox.set_fault("*", error=(code, message))
    for operation in (
        lambda: read_snapshot(client, snapshot_id, None),
        lambda: require_snapshot(client, snapshot_id, None),
        lambda: delete_snapshot(client, snapshot_id),
        lambda: clear_schedule(client, "12"),
    ):
        with pytest.raises(NodeApiError) as raised:
            operation()
        assert (raised.value.code, raised.value.message) == (code, message)
        assert raised.value.hint is not None and "node:userId" in raised.value.hint
    sandbox.clear_faults()
    (stored,) = sandbox.snapshots()
    assert stored["snapshot_status"] != "deleted"


def test_a_schedule_of_a_server_the_api_says_is_gone_is_cleared(
    client: NodeClient, sandbox: Sandbox
) -> None:
    clear_schedule(client, "99999")
    assert [c.code for c in sandbox.calls("set_server_snapshot_schedule")] == [SERVER_NOT_FOUND]


def test_a_bare_not_found_fails_the_operations(
    client: NodeClient, sandbox: Sandbox, snapshot_id: str
) -> None:
    sandbox.set_fault("*", error=(NOT_FOUND, "Not found."))
    with pytest.raises(NodeApiError):
        read_snapshot(client, snapshot_id, None)
    with pytest.raises(NodeApiError):
        delete_snapshot(client, snapshot_id)
    with pytest.raises(NodeApiError):
        clear_schedule(client, "12")


def test_the_any_answer_fault_plays_an_answer_with_its_http_status_from_the_admin_api(
    client: NodeClient, sandbox: Sandbox, snapshot_id: str
) -> None:
    fault = {
        "function": "delete_snapshot",
        "error": ["USER_NOT_FOUND", "User not found."],
        "http_status": 404,
    }
    admin = f"http://127.0.0.1:{sandbox.port}/_sandbox/fault"
    assert requests.post(admin, json=fault, timeout=10).status_code == 200
    with pytest.raises(NodeApiError) as raised:
        delete_snapshot(client, snapshot_id)
    answer = raised.value
    assert (answer.code, answer.message, answer.http_status) == (
        "USER_NOT_FOUND",
        "User not found.",
        404,
    )
    assert answer.hint is not None
    assert [c.http_status for c in sandbox.calls("delete_snapshot")] == [404]
    assert sandbox.snapshots()[0]["snapshot_status"] != "deleted"


def test_the_uncertain_create_look_up_never_reads_a_credentials_answer_as_no_snapshot(
    client: NodeClient, sandbox: Sandbox
) -> None:
    """A lost create answer is looked up (get_snapshot_list). An answer about the caller there
    says nothing about the snapshot: the error says the look-up failed, with the hint, never
    that no snapshot was processing."""
    sandbox.set_fault("create_snapshot", http_status=503, after=True, times=1)
    sandbox.set_fault("get_snapshot_list", error=("USER_NOT_FOUND", "User not found."))
    with pytest.raises(SnapshotUncertainError) as raised:
        start_snapshot(client, "12", client_ip_address="203.0.113.7", notify=print)
    message = str(raised.value)
    assert raised.value.candidates == []
    assert "looking it up failed" in message and "User not found." in message
    assert "node:userId" in message
    assert "none of its snapshots was processing" not in message
    assert len(sandbox.snapshots()) == 1
