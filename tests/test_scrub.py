"""Scrubbing secrets and the home directory out of published notebooks."""

from __future__ import annotations

import copy
from typing import Any

import nbformat
import pytest

from labjournal.execution.scrub import SECRET, is_secret_name, scrub_notebook, scrub_text

HOME = "/home/ada"
HF = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz01234567"
ENV = {
    "HF_TOKEN": HF,
    "OPENAI_API_KEY": "not-a-known-shape-but-secret",
    "DB_PASSWORD": "hunter2",
    "SHORT_TOKEN": "abc12",
    "MAX_TOKENS": "4096000",
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "TOKENIZERS_PARALLELISM": "false_but_long",
    "SSH_AUTH_SOCK": "/tmp/ssh-agent.sock",
    "PWD": "/home/ada/journal",
}


def scrub(text: str) -> str:
    return scrub_text(text, env=ENV, home=HOME)


# --- environment ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("HF_TOKEN", True),
        ("OPENAI_API_KEY", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("DB_PASSWORD", True),
        ("MYSQL_PWD", True),
        ("GITHUBTOKEN", True),
        ("WANDB_APIKEY", True),
        ("GOOGLE_APPLICATION_CREDENTIALS", True),
        ("NPM_AUTH", True),
        ("ssh_private_key", True),
        ("GIT_AUTHOR_NAME", False),
        ("TOKENIZERS_PARALLELISM", False),
        ("MAX_TOKENS", False),
        ("KEYBOARD_LAYOUT", False),
        ("MONKEY", False),
        ("SSH_AUTH_SOCK", False),
        ("XAUTHORITY", False),
        ("PWD", False),
        ("OLDPWD", False),
        ("HOME", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_secret_env_values_are_replaced_by_their_name() -> None:
    text = "token=not-a-known-shape-but-secret, password hunter2!"
    assert scrub(text) == "token=[secret:OPENAI_API_KEY], password [secret:DB_PASSWORD]!"


def test_a_known_shape_from_the_environment_is_named() -> None:
    assert scrub(f"using {HF}") == "using [secret:HF_TOKEN]"


def test_short_numeric_and_harmless_values_are_left_alone() -> None:
    text = "abc12 4096000 Ada Lovelace false_but_long /tmp/ssh-agent.sock"
    assert scrub(text) == text


def test_a_value_containing_another_is_replaced_whole() -> None:
    env = {"A_TOKEN": "secretvalue", "B_TOKEN": "secretvalue-extended"}
    assert (
        scrub_text("x secretvalue-extended y secretvalue", env=env, home="/") == "x [secret:B_TOKEN] y [secret:A_TOKEN]"
    )


def test_default_env_and_home_come_from_the_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    home = tmp_path / "someone"
    monkeypatch.setenv("LABJOURNAL_TEST_SECRET", "planted-value-123")
    monkeypatch.setenv("HOME", str(home))
    assert scrub_text(f"planted-value-123 in {home}/notes") == "[secret:LABJOURNAL_TEST_SECRET] in ~/notes"


# --- token shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
        "gho_" + "a" * 36,
        "ghu_" + "b" * 36,
        "ghs_" + "c" * 36,
        "ghr_" + "d" * 36,
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV",
        HF,
        "AKIAIOSFODNN7EXAMPLE",
        "ASIAY34FZKBOKMUTVV7A",
        "sk-" + "T3BlbkFJ" * 6,
        "sk-proj-" + "Ab1_Cd2-Ef3" * 8,
        "sk-svcacct-" + "x9" * 20,
        "sk-ant-api03-" + "Zz9-" * 20,
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxp-1234567890-abcdefghij",
    ],
)
def test_token_shapes_are_replaced(token: str) -> None:
    text = f"key: {token}\n'{token}' ({token})"
    assert scrub_text(text, env={}, home="/") == f"key: {SECRET}\n'{SECRET}' ({SECRET})"


@pytest.mark.parametrize(
    "text",
    [
        "xghp_" + "a" * 36,  # inside a longer word
        "the hf_hub module and hf_short",
        "risk-" + "a" * 40,
        "AKIA short",
        "sklearn sk-learn scikit-learn",
        "task-specific-fine-tuning-for-classification",
        "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
    ],
)
def test_lookalikes_are_left_alone(text: str) -> None:
    assert scrub_text(text, env={}, home="/") == text


@pytest.mark.parametrize("separator", [" = ", "=", ": ", '": "'])
def test_aws_secret_access_key_value_goes_and_the_name_stays(separator: str) -> None:
    text = f"aws_secret_access_key{separator}wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nregion = eu"
    assert scrub_text(text, env={}, home="/") == f"aws_secret_access_key{separator}{SECRET}\nregion = eu"


def test_private_key_blocks_are_replaced_whole() -> None:
    pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\nAAAA\n-----END OPENSSH PRIVATE KEY-----"
    rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
    text = f"before\n{pem}\nmiddle {rsa} after"
    assert scrub_text(text, env={}, home="/") == f"before\n{SECRET}\nmiddle {SECRET} after"


def test_a_truncated_private_key_is_replaced_to_the_end() -> None:
    text = "printed: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
    assert scrub_text(text, env={}, home="/") == f"printed: {SECRET}"


# --- home directory ------------------------------------------------------------------------------


def test_home_directory_becomes_tilde() -> None:
    text = f'File "{HOME}/journal/notes/a.py", line 3\ncwd {HOME}. also {HOME}'
    assert scrub(text) == 'File "~/journal/notes/a.py", line 3\ncwd ~. also ~'


def test_home_is_not_a_prefix_of_another_name() -> None:
    assert scrub("/home/adam/x /home/ada_b /home/ada.old") == "/home/adam/x /home/ada_b /home/ada.old"


@pytest.mark.parametrize("home", ["/", "", "//"])
def test_a_root_or_empty_home_is_left_alone(home: str) -> None:
    assert scrub_text("/usr/lib/x", env={}, home=home) == "/usr/lib/x"


def test_trailing_slash_on_home_is_ignored() -> None:
    assert scrub_text("/home/ada/x", env={}, home="/home/ada/") == "~/x"


# --- notebooks -----------------------------------------------------------------------------------


def _notebook() -> dict[str, Any]:
    code = nbformat.v4.new_code_cell(
        source=["import os\n", f"token = '{HF}'\n"],
        outputs=[
            nbformat.v4.new_output("stream", name="stdout", text=f"logged in with {HF}\n"),
            nbformat.v4.new_output(
                "display_data",
                data={
                    "text/plain": "hunter2",
                    "text/html": f"<b>{HOME}/data</b>",
                    "text/markdown": ["**key** ", "not-a-known-shape-but-secret"],
                    "image/svg+xml": f"<svg><text>{HF}</text></svg>",
                    "application/vnd.custom+json": {"token": HF, "n": [1, f"{HOME}/x"]},
                    "image/png": "iVBORw0KGgo=",
                },
            ),
            nbformat.v4.new_output(
                "error",
                ename="PermissionError",
                evalue=f"{HOME}/secret.txt",
                traceback=[f'File "{HOME}/x.py"', "token hunter2"],
            ),
        ],
    )
    markdown = nbformat.v4.new_markdown_cell(f"My token is {HF}, don't tell.")
    notebook = dict(nbformat.v4.new_notebook(cells=[code, markdown]))
    notebook["metadata"]["labjournal"] = {
        "key": "abc",
        "message": "cell 2: ValueError: hunter2",
        "last_failure": {"message": "m", "traceback": f"{HOME}/x.py"},
    }
    return notebook


def test_a_whole_notebook_is_scrubbed_and_the_input_is_untouched() -> None:
    notebook = _notebook()
    before = copy.deepcopy(notebook)
    result = scrub_notebook(notebook, env=ENV, home=HOME)
    assert notebook == before
    code, markdown = result["cells"]
    assert code["source"] == "import os\ntoken = '[secret:HF_TOKEN]'\n"
    stream, display, error = code["outputs"]
    assert stream["text"] == "logged in with [secret:HF_TOKEN]\n"
    assert display["data"] == {
        "text/plain": "[secret:DB_PASSWORD]",
        "text/html": "<b>~/data</b>",
        "text/markdown": "**key** [secret:OPENAI_API_KEY]",
        "image/svg+xml": "<svg><text>[secret:HF_TOKEN]</text></svg>",
        "application/vnd.custom+json": {"token": "[secret:HF_TOKEN]", "n": [1, "~/x"]},
        "image/png": "iVBORw0KGgo=",
    }
    assert error["evalue"] == "~/secret.txt"
    assert error["traceback"] == ['File "~/x.py"', "token [secret:DB_PASSWORD]"]
    assert error["ename"] == "PermissionError"
    assert markdown["source"] == "My token is [secret:HF_TOKEN], don't tell."
    meta = result["metadata"]["labjournal"]
    assert meta == {
        "key": "abc",
        "message": "cell 2: ValueError: [secret:DB_PASSWORD]",
        "last_failure": {"message": "m", "traceback": "~/x.py"},
    }


def test_scrubbing_is_idempotent() -> None:
    once = scrub_notebook(_notebook(), env=ENV, home=HOME)
    assert scrub_notebook(once, env=ENV, home=HOME) == once
