"""Keep secrets and the author's home directory out of stored and published notebooks.

A note that reads ``os.environ["HF_TOKEN"]`` can print it by accident; a traceback shows
``/home/<user>/...``. Before an executed notebook is stored (and again before it is published on
the site) its sources and output texts go through :func:`scrub_text`, and so do a failed run's
message and traceback; :func:`scrub_text` replaces

- the values of environment variables whose names say they are secret, by ``[secret:NAME]``;
- strings shaped like well-known credentials (GitHub, Hugging Face, AWS, OpenAI, Anthropic,
  Slack tokens, PEM private keys), by ``[secret]``;
- the home directory, by ``~``.

Which variables count as secret: a name split at ``_`` (and other non-alphanumerics) with a word in
:data:`SECRET_WORDS` or ending in one of :data:`SECRET_SUFFIXES` (``HF_TOKEN``, ``OPENAI_API_KEY``,
``DB_PASSWORD``, ``GITHUBTOKEN``). Matching words, not substrings, keeps ``GIT_AUTHOR_NAME``,
``TOKENIZERS_PARALLELISM`` and ``KEYBOARD`` out; :data:`NOT_SECRET` lists well-known names that are
never secret (``PWD`` and ``SSH_AUTH_SOCK`` match but hold a path or a socket). Values shorter than
:data:`MIN_SECRET_LENGTH` or made only of digits and separators (``1,024``, ``0.5``) are ignored: they
occur everywhere in ordinary output (``MAX_TOKENS=512``), and replacing them would corrupt it.

Which parts of a rich output are text is decided per MIME type by :func:`scrub_data`; the
publishing side may pass its own rule (the rendering layer's output handlers) to
:func:`scrub_notebook`.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

SECRET_WORDS = frozenset(
    {"TOKEN", "KEY", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASSPHRASE", "PWD", "CREDENTIAL", "CREDENTIALS"}
    | {"AUTH", "PRIVATE", "APIKEY", "COOKIE"}
)
SECRET_SUFFIXES = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "APIKEY", "ACCESSKEY", "SECRETKEY", "PRIVATEKEY")
NOT_SECRET = frozenset({"PWD", "OLDPWD", "SSH_AUTH_SOCK", "XAUTHORITY", "GPG_AGENT_INFO", "KEYTIMEOUT"})
MIN_SECRET_LENGTH = 6

SECRET = "[secret]"

# (needles, pattern): a pattern runs only on texts containing one of its needles, and every pattern
# starts with a literal so that the regex engine can skip ahead. Both keep a 1 MB text in the
# low milliseconds; a leading \b would make each pattern try every position.
_TOKEN_SHAPES: list[tuple[tuple[str, ...], str]] = [
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), r"gh[pousr]_[A-Za-z0-9]{20,255}(?![A-Za-z0-9])"),  # GitHub
    (("github_pat_",), r"github_pat_[A-Za-z0-9_]{22,255}"),
    (("hf_",), r"hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])"),  # Hugging Face
    (("AKIA", "ASIA"), r"A(?:KI|SI)A[A-Z0-9]{16}(?![A-Za-z0-9])"),  # AWS access key id
    # OpenAI (legacy; project and service-account keys), Anthropic
    (("sk-",), r"sk-(?:(?:proj|svcacct|admin|ant)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{32,}(?![A-Za-z0-9]))"),
    (("xox",), r"xox[baprs]-[A-Za-z0-9-]{10,}"),  # Slack
    (
        ("-----BEGIN",),
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|\Z)",
    ),
]
_SHAPES = [(needles, re.compile(pattern)) for needles, pattern in _TOKEN_SHAPES]
# aws_secret_access_key = ...: the name stays, the 40-character value goes
_AWS_NEEDLES = ("secret_access_key", "secret_key")
_AWS_SECRET = re.compile(
    r"""((?:aws_secret_access_key|aws_secret_key|secret_access_key)["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])""",
    re.I,
)
_WORD_CHAR = re.compile(r"\w")
_NAME_WORDS = re.compile(r"[^A-Z0-9]+")
_DIGITS = re.compile(r"[\d.,_ -]+")


def is_secret_name(name: str) -> bool:
    """Whether an environment variable called ``name`` holds a secret, judging by its name alone."""
    upper = name.upper()
    if upper in NOT_SECRET:
        return False
    words = [word for word in _NAME_WORDS.split(upper) if word]
    return any(word in SECRET_WORDS or word.endswith(SECRET_SUFFIXES) for word in words)


def _secret_values(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """(value, name) pairs worth replacing, longest value first so that no value is cut by another."""
    pairs = {
        value: name
        for name, value in sorted(env.items())
        if is_secret_name(name) and len(value) >= MIN_SECRET_LENGTH and not _DIGITS.fullmatch(value)
    }
    return tuple(sorted(pairs.items(), key=lambda pair: (-len(pair[0]), pair[0])))


@lru_cache(maxsize=16)
def _value_pattern(pairs: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    if not pairs:
        return None
    return re.compile("|".join(re.escape(value) for value, _ in pairs)), dict(pairs)


@lru_cache(maxsize=16)
def _home_pattern(home: str) -> re.Pattern[str] | None:
    home = home.rstrip("/\\")
    if len(home) <= 1:
        return None
    # "/home/al" must not match inside "/home/alice"
    return re.compile(re.escape(home) + r"(?![\w-]|\.[\w-])")


def _replace_shape(match: re.Match[str]) -> str:
    """A token shape is a secret only where it starts a word ("xghp_..." is not a GitHub token)."""
    start = match.start()
    if start and _WORD_CHAR.match(match.string, start - 1):
        return match.group(0)
    return SECRET


def _scrubber(env: Mapping[str, str] | None, home: str | None) -> Callable[[str], str]:
    """One scrubbing function for ``env`` and ``home``, its patterns compiled once."""
    values = _value_pattern(_secret_values(os.environ if env is None else env))
    home_pattern = _home_pattern(os.path.expanduser("~") if home is None else home)

    def scrub(text: str) -> str:
        if values is not None:
            pattern, names = values
            text = pattern.sub(lambda match: f"[secret:{names[match.group(0)]}]", text)
        for needles, shape in _SHAPES:
            if any(needle in text for needle in needles):
                text = shape.sub(_replace_shape, text)
        if any(needle in text.lower() for needle in _AWS_NEEDLES):
            text = _AWS_SECRET.sub(lambda match: match.group(1) + SECRET, text)
        if home_pattern is not None:
            text = home_pattern.sub("~", text)
        return text

    return scrub


def scrub_text(text: str, env: Mapping[str, str] | None = None, home: str | None = None) -> str:
    """``text`` with secret env values, credential-shaped strings and the home directory replaced.

    ``env`` defaults to ``os.environ`` and ``home`` to the current user's home directory; a home of
    ``/`` (or empty) is left alone, since replacing it would mangle every path.
    """
    return _scrubber(env, home)(text)


def _scrub_value(value: Any, scrub: Callable[[str], str]) -> Any:
    """A str, or nbformat's list-of-lines form of one, scrubbed; anything else unchanged."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return scrub("".join(value))
    return value


def _scrub_json(value: Any, scrub: Callable[[str], str]) -> Any:
    """Every string in a JSON structure, keys included, scrubbed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_json(item, scrub) for item in value]
    if isinstance(value, dict):
        return {_scrub_json(key, scrub): _scrub_json(item, scrub) for key, item in value.items()}
    return value


def scrub_data(mime: str, value: Any, scrub: Callable[[str], str]) -> Any:
    """One output value of type ``mime`` scrubbed with ``scrub``, by the generic rule: ``text/*``
    types and SVG as text, ``application/json`` and ``*+json`` types string by string (keys
    included), anything else (PNG, JPEG, PDF: base64) unchanged.

    The rendering layer's output handlers start from this rule; a handler may scrub its type
    differently, and :func:`scrub_notebook` uses it when given as its ``data_scrubber``."""
    if mime.startswith("text/") or mime == "image/svg+xml":
        return _scrub_value(value, scrub)
    if mime == "application/json" or mime.endswith("+json"):
        return _scrub_json(value, scrub)
    return value


DataScrubber = Callable[[str, Any, Callable[[str], str]], Any]


def _scrub_output(output: dict[str, Any], scrub: Callable[[str], str], data_scrubber: DataScrubber) -> None:
    if "text" in output:
        output["text"] = _scrub_value(output["text"], scrub)
    if "evalue" in output:
        output["evalue"] = _scrub_value(output["evalue"], scrub)
    if isinstance(output.get("traceback"), list):
        output["traceback"] = [_scrub_value(line, scrub) for line in output["traceback"]]
    for mime, value in output.get("data", {}).items():
        output["data"][mime] = data_scrubber(mime, value, scrub)


def scrub_notebook(
    notebook: dict[str, Any],
    env: Mapping[str, str] | None = None,
    home: str | None = None,
    *,
    data_scrubber: DataScrubber | None = None,
) -> dict[str, Any]:
    """A copy of ``notebook`` with every cell source and every output text scrubbed.

    Output texts are streams, errors (value and traceback) and each value of rich outputs, by
    ``data_scrubber(mime, value, scrub)`` (default :func:`scrub_data`: every ``text/*`` type, SVG
    and the strings inside JSON outputs; binary outputs such as PNG and JPEG are left alone). Also
    scrubbed: the message and traceback kept in ``metadata.labjournal`` and in its
    ``last_failure`` (the page shows them). Error names (``ename``) are left as they are.

    Both the store and the site get scrubbed copies. A scrubbed source no longer hashes to the
    note's execution key, which is why keys are computed from the note's own text, never from a
    stored notebook.
    """
    scrub = _scrubber(env, home)
    data_scrubber = data_scrubber or scrub_data
    result = copy.deepcopy(notebook)
    for cell in result.get("cells", []):
        if "source" in cell:
            cell["source"] = _scrub_value(cell["source"], scrub)
        for output in cell.get("outputs", []):
            _scrub_output(output, scrub, data_scrubber)
    meta = result.get("metadata", {}).get("labjournal")
    if isinstance(meta, dict):
        for holder in (meta, meta.get("last_failure")):
            if isinstance(holder, dict):
                for key in ("message", "traceback"):
                    if key in holder:
                        holder[key] = _scrub_value(holder[key], scrub)
    return result
