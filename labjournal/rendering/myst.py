"""MyST directives in a note's prose, as the Markdown that MkDocs (admonition, pymdownx.details) reads.

````
```{note} Optional title           :::{warning}
Body                                Body
```                                 :::
````

become ``!!! note "Optional title"`` blocks (``{dropdown}`` and ``:class: dropdown`` fold them:
``???``; ``{seealso}`` is an ``info`` block titled "See also"; ``{admonition} Title`` takes its type
from ``:class:``). ``{code-block}``/``{code}`` become fenced code and ``{math}`` a display formula.
Directives nested with longer fences are converted too. Anything else (another directive, an
option that has no equivalent) is left as written and reported as a problem, which the renderer
logs as a warning naming the note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .outputs import fence

_DIRECTIVE = re.compile(r"^ {0,3}(?P<fence>`{3,}|:{3,})\{(?P<name>[A-Za-z][\w.:-]*)\}[ \t]*(?P<arg>.*?)[ \t]*$")
_PLAIN_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*?))?[ \t]*$")
_CLASS = re.compile(r"[A-Za-z][\w-]*")

# MyST's admonitions, by the type mkdocs-material draws them with (Material knows these aliases)
ADMONITIONS = frozenset(
    {"note", "important", "hint", "tip", "attention", "caution", "warning", "danger", "error", "abstract", "summary"}
    | {"info", "todo", "success", "check", "done", "question", "help", "faq", "failure", "fail", "missing", "bug"}
    | {"example", "quote"}
)
CODE = frozenset({"code-block", "code", "sourcecode"})


def _closing(lines: list[str], start: int, opening: str) -> int:
    """The index of the line closing a fence opened by ``opening`` (``len(lines)``: none, the block
    runs to the end of the cell)."""
    pattern = re.compile(rf"^ {{0,3}}{re.escape(opening[0])}{{{len(opening)},}}[ \t]*$")
    return next((i for i in range(start, len(lines)) if pattern.match(lines[i])), len(lines))


def _options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    """A directive's options (``:key: value`` lines, or a YAML block between ``---`` lines) and its content."""
    if body and body[0].strip() == "---":
        end = next((i for i in range(1, len(body)) if body[i].strip() == "---"), None)
        if end is not None:
            import yaml

            try:
                loaded = yaml.safe_load("\n".join(body[1:end])) or {}
            except yaml.YAMLError:
                loaded = {}
            if isinstance(loaded, dict):
                return {str(k): "" if v is None else str(v) for k, v in loaded.items()}, body[end + 1 :]
    options: dict[str, str] = {}
    index = 0
    while index < len(body) and (match := _OPTION.match(body[index])):
        options[match.group("key")] = match.group("value") or ""
        index += 1
    return options, body[index:]


def _indent(lines: list[str]) -> list[str]:
    return [f"    {line}" if line.strip() else "" for line in lines]


class Converter:
    """Converts the directives of one text, collecting the problems it meets."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def convert(self, text: str) -> str:
        return "\n".join(self._lines(text.split("\n")))

    def _lines(self, lines: list[str]) -> Iterator[str]:
        index = 0
        while index < len(lines):
            line = lines[index]
            directive = _DIRECTIVE.match(line)
            found = directive or _PLAIN_FENCE.match(line)
            if found is None:
                yield line
                index += 1
                continue
            end = _closing(lines, index + 1, found.group("fence"))
            if directive is None:
                yield from lines[index : end + 1]  # a code block: left as it is
            else:
                block = self._directive(directive, lines[index + 1 : end])
                yield from block if block is not None else lines[index : end + 1]
            index = end + 1

    def _unsupported(self, name: str, options: dict[str, str], known: set[str]) -> None:
        for key in options:
            if key not in known:
                self.problems.append(
                    f"the option ':{key}:' of the MyST directive {{{name}}} is not supported (ignored)"
                )

    def _directive(self, match: re.Match[str], body: list[str]) -> list[str] | None:
        name, arg = match.group("name"), match.group("arg")
        options, content = _options(body)
        lowered = name.lower()
        if lowered in ADMONITIONS or lowered in ("admonition", "seealso", "dropdown"):
            return self._admonition(lowered, arg, options, content)
        if lowered in CODE:
            self._unsupported(name, options, set())
            text = "\n".join(content)
            f = fence(text)
            return [f"{f} {arg.split()[0] if arg.split() else 'text'}", *content, f]
        if lowered == "math":
            self._unsupported(name, options, set())
            return ["$$", *content, "$$"]
        self.problems.append(f"the MyST directive {{{name}}} is not supported (shown as written)")
        return None

    def _admonition(self, name: str, title: str, options: dict[str, str], content: list[str]) -> list[str]:
        self._unsupported(name, options, {"class", "open"})
        classes = _CLASS.findall(options.get("class", ""))
        folded = name == "dropdown" or "dropdown" in classes
        classes = [c for c in classes if c != "dropdown"]
        if name in ("admonition", "dropdown"):
            kind = next((c for c in classes if c in ADMONITIONS), "note")
            classes = [c for c in classes if c != kind]
        elif name == "seealso":
            kind, title = "info", title or "See also"
        else:
            kind = name
        marker = ("???+" if "open" in options else "???") if folded else "!!!"
        header = " ".join([marker, kind, *classes]) + (f' "{title}"' if title else "")
        return [header, "", *_indent(list(self._lines(content))), ""]


def convert_directives(text: str) -> tuple[str, list[str]]:
    """``text`` (Markdown) with its MyST directives converted, and the problems met (each a sentence)."""
    if "{" not in text:
        return text, []
    converter = Converter()
    return converter.convert(text), converter.problems
