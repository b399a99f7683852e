"""The options of the ``labjournal`` plugin: the one definition, read by the plugin and by the CLI.

The CLI reads ``mkdocs.yml`` with MkDocs' own YAML loader (``!ENV``, ``!relative``, python tags)
and validates the plugin's entry with the same :class:`LabjournalConfig` MkDocs uses, so an
invalid option is reported the same way by ``labjournal run`` and by ``mkdocs build``, naming the
file and the key.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.utils.yaml import yaml_load

from labjournal.errors import ConfigError
from labjournal.execution import ExecutorSettings, Journal
from labjournal.limits import OutputLimits

PLUGIN_NAME = "labjournal"
log = logging.getLogger("labjournal.config")


class _LimitsConfig(Config):
    page_lines = c.Optional(c.Type(int))
    page_bytes = c.Optional(c.Type(int))
    store_bytes = c.Optional(c.Type(int))
    search_chars = c.Optional(c.Type(int))


class LabjournalConfig(Config):
    """Options of the ``labjournal`` plugin in ``mkdocs.yml``."""

    enabled = c.Type(bool, default=True)
    notes_dir = c.Type(str, default="notes")
    """Folder of the notes, relative to mkdocs.yml."""
    store_dir = c.Type(str, default="store")
    """Folder of the committed store of executed notebooks."""
    cache_dir = c.Type(str, default=".labjournal")
    """Folder for caches (facts, rendered pages, the run lock); not committed."""
    url_prefix = c.Type(str, default="journal")
    """Notes are published under this folder of the site."""
    recent = c.Type(int, default=8)
    """How many recent entries the navigation and the home page list."""
    drafts = c.Optional(c.Type(bool))
    """Publish draft notes; default: only in ``mkdocs serve``."""
    executor = c.Type(str, default="local")
    """Executor used by ``labjournal run``/``build`` (see ``labjournal.executors``)."""
    executor_options = c.Type(dict, default={})
    """Options given to the executor as they are, e.g. ``{address: "ray://head:10001"}`` for Ray."""
    jobs = c.Optional(c.Type(int))
    """Parallel jobs for the executor; default: the number of cores."""
    preload = c.Optional(c.Type(bool))
    """Fork each note's kernel from a server that imported the heavy modules once; default: the
    executor's (local: on where fork is supported; ray: off)."""
    preload_modules = c.Optional(c.ListOfItems(c.Type(str)))
    """Modules the preload server may import (those the run's notes use); default: numpy,
    matplotlib.pyplot, torch, torch.optim and their helpers."""

    limits = c.SubConfig(_LimitsConfig)
    """Caps on one output: ``page_lines``, ``page_bytes``, ``store_bytes``, ``search_chars``
    (``labjournal.limits.OutputLimits`` says what each caps, and its defaults)."""

    def output_limits(self) -> OutputLimits:
        return OutputLimits(**{key: value for key, value in self.limits.items() if value is not None})

    def journal(self, root: Path) -> Journal:
        return Journal(
            root,
            notes_dir=self.notes_dir,
            store_dir=self.store_dir,
            cache_dir=self.cache_dir,
            limits=self.output_limits(),
        )

    def executor_settings(self) -> ExecutorSettings:
        return ExecutorSettings(
            name=self.executor,
            jobs=self.jobs,
            preload=self.preload,
            preload_modules=self.preload_modules,
            options=dict(self.executor_options),
        )


def _plugin_options(data: Any, config_file: Path) -> dict[str, Any]:
    plugins = data.get("plugins") if isinstance(data, dict) else None
    if isinstance(plugins, dict):  # MkDocs accepts plugins as a mapping too
        plugins = [{name: options} for name, options in plugins.items()]
    for plugin in plugins or []:
        if isinstance(plugin, dict) and PLUGIN_NAME in plugin:
            options = plugin[PLUGIN_NAME]
            if options is not None and not isinstance(options, dict):
                raise ConfigError(f"{config_file}: plugins -> {PLUGIN_NAME}: expected a mapping of options")
            return dict(options or {})
    return {}


def load_config(config_file: Path) -> LabjournalConfig:
    """The ``labjournal`` plugin's options in ``config_file``, validated (defaults when it has none)."""
    try:
        with config_file.open("rb") as handle:
            data = yaml_load(handle)
    except OSError as exc:
        raise ConfigError(f"{config_file}: cannot be read ({exc.strerror})") from None
    except Exception as exc:  # MkDocs' loader raises ConfigurationError or YAMLError
        raise ConfigError(f"{config_file}: {str(exc).strip().splitlines()[0]}") from None
    config = LabjournalConfig(config_file_path=str(config_file))
    config.load_dict(_plugin_options(data, config_file))
    errors, warnings = config.validate()
    for key, warning in warnings:  # as MkDocs does: a warning (an error under mkdocs build --strict)
        log.warning("%s: plugins -> %s -> %s: %s", config_file, PLUGIN_NAME, key, warning)
    if errors:
        details = "; ".join(f"plugins -> {PLUGIN_NAME} -> {key}: {error}" for key, error in errors)
        raise ConfigError(f"{config_file}: {details}")
    return config
