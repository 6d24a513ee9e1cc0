"""Load the study's spaCy pipeline once per process.

The model is a study setting. ``auto`` takes the first installed of the
official ``nb_core_news_md``/``_sm`` and the offline NorNE-trained
``nb_norne_sm`` (which scripts/setup.sh installs where the official one cannot
be downloaded). Nothing is ever fetched at run time.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache

import spacy
from spacy.language import Language

from .errors import QualpipeError

PREFERRED_MODELS = ("nb_core_news_md", "nb_core_news_sm", "nb_norne_sm")


def is_installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def resolve_model_name(setting: str = "auto") -> str:
    """The package name of the pipeline to load for a study's ``model`` setting."""
    if setting != "auto":
        if not is_installed(setting):
            raise QualpipeError(
                f"spaCy pipeline '{setting}' (study setting 'model') is not installed; "
                "run scripts/setup.sh or set model: auto"
            )
        return setting
    for name in PREFERRED_MODELS:
        if is_installed(name):
            return name
    raise QualpipeError(
        "no Norwegian spaCy pipeline is installed (tried " + ", ".join(PREFERRED_MODELS) + "); run scripts/setup.sh"
    )


OFFICIAL = ("nb_core_news_md", "nb_core_news_sm")


def installed_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def describe_pipeline(setting: str = "auto") -> str:
    """Which pipeline a study with this ``model`` setting loads, and its version (without loading it)."""
    name = resolve_model_name(setting)
    kind = "official spaCy pipeline" if name in OFFICIAL else "offline NorNE-trained pipeline"
    return f"{name} {installed_version(name)} ({kind}; study setting model: {setting})"


@lru_cache(maxsize=4)
def load_nlp(setting: str = "auto") -> Language:
    """The loaded pipeline, cached: every stage shares one copy."""
    return spacy.load(resolve_model_name(setting))


def model_id(nlp: Language) -> str:
    """Name and version, recorded with outputs so results can be traced to a model."""
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'unknown')}-{nlp.meta.get('version', '0')}"


def sentence_components(nlp: Language) -> list[str]:
    """The components needed to split sentences (senter, or the parser where that is how)."""
    if "senter" in nlp.pipe_names and nlp.has_pipe("senter"):
        needed = {"senter"}
    elif "parser" in nlp.pipe_names:
        needed = {"parser"}
    else:
        needed = set()
    # tok2vec/transformer feed the trainable components.
    listeners = {name for name in nlp.pipe_names if name in ("tok2vec", "transformer")}
    return [name for name in nlp.pipe_names if name in needed | listeners]
