"""Save and load fitted theme models: safetensors arrays plus a JSON run record."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from ._embeddings import Encoder, shared_encoder
from ._themes import ThemeModel
from .errors import NotFittedError, PersistenceError

__all__ = ["load_model", "save_model"]

log = logging.getLogger(__name__)

ARRAYS = "arrays.safetensors"
RECORD = "model.json"
FAST = "fast"  # sub-directory holding the fast encoder's head, when there is one
FORMAT = 1


def _theme_meta(model: ThemeModel) -> list[dict[str, Any]]:
    """Return JSON-able theme descriptions (without centroids)."""
    if model.result is None:
        return []
    return [
        {
            "id": t.id,
            "label": t.label,
            "keywords": t.keywords,
            "size": t.size,
            "representative_docs": t.representative_docs,
            "objectives": [[m.code, m.confidence] for m in t.objectives],
            "objective": t.objective,
            "name": t.name,
            "name_fallback": t.name_fallback,
            "coherence": t.coherence,
            "intrusion": t.intrusion,
            "flagged": t.flagged,
        }
        for t in model.result.themes
    ]


def save_model(model: ThemeModel, path: str | Path) -> Path:
    """Write a fitted model to a directory; return the directory."""
    from safetensors.numpy import save_file

    if not len(model.theme_ids) and model.mapper is None:
        raise NotFittedError("nothing to save: fit the ThemeModel first")
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    arrays = {"centroids": model.centroids, "theme_ids": model.theme_ids.astype(np.int64)}
    meta: dict[str, Any] = {
        "format": FORMAT,
        "encoder": model.encoder.name,
        "seed": model.seed,
        "temperature": model.temperature,
        "assign_threshold": model.assign_threshold,
        "params": model.params(),
        "themes": _theme_meta(model),
        "run": dataclasses.asdict(model.result.run) if model.result else None,
    }
    state = getattr(model.encoder, "state", None)
    if state is not None:
        enc_arrays, enc_meta = state()
        arrays |= enc_arrays
        meta["encoder_state"] = enc_meta
    if model.mapper is not None:
        map_arrays, map_meta = model.mapper.state()
        arrays |= map_arrays
        kind = "classifier" if "mapper" in map_meta else "mapper"
        meta[kind] = map_meta
        meta["theme_objectives"] = [[k, v] for k, v in model.theme_objectives.items()]
    if model.fast is not None:
        save_model(model.fast, path / FAST)
        meta["fast_encoder"] = model.fast.encoder.name
    save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(path / ARRAYS))
    (path / RECORD).write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
    log.info("saved theme model to %s", path)
    return path


def _encoder_for(meta: dict, arrays: dict, encoder: Encoder | None) -> Encoder:
    """Return the encoder a saved model was fitted with."""
    if encoder is not None:
        if encoder.name != meta["encoder"]:
            raise PersistenceError(
                f"model was fitted with {meta['encoder']!r}, not {encoder.name!r}"
            )
        return encoder
    if "encoder_state" in meta:
        from ._lsa import LsaEncoder

        return LsaEncoder.from_state(arrays, meta["encoder_state"])
    return shared_encoder(meta["encoder"])


def load_model(path: str | Path, *, encoder: Encoder | None = None) -> ThemeModel:
    """Load a model saved by save_model; works offline and supports assign()."""
    from safetensors.numpy import load_file

    from ._objectives import ObjectiveMapper

    path = Path(path)
    if not (path / ARRAYS).is_file() or not (path / RECORD).is_file():
        raise PersistenceError(f"{path} does not contain {ARRAYS} and {RECORD}")
    meta = json.loads((path / RECORD).read_text("utf-8"))
    if meta.get("format") != FORMAT:
        raise PersistenceError(f"unsupported model format {meta.get('format')!r}")
    arrays = load_file(str(path / ARRAYS))
    model = ThemeModel(encoder=_encoder_for(meta, arrays, encoder), seed=meta["seed"])
    model.centroids = arrays["centroids"]
    model.theme_ids = arrays["theme_ids"].astype(int)
    model.temperature = meta["temperature"]
    model.assign_threshold = meta["assign_threshold"]
    model.saved_themes = meta["themes"]
    model.run_record = meta["run"]
    if "classifier" in meta:
        from ._classifier import ObjectiveClassifier

        model.mapper = ObjectiveClassifier.from_state(
            arrays, meta["classifier"], encoder=model.encoder
        )
        model.objectives = model.mapper.specs
    elif "mapper" in meta:
        model.mapper = ObjectiveMapper.from_state(arrays, meta["mapper"], encoder=model.encoder)
        model.objectives = model.mapper.specs
    model.theme_objectives = {int(k): v for k, v in meta.get("theme_objectives", [])}
    if meta.get("fast_encoder") and (path / FAST).is_dir():
        model.fast = load_model(path / FAST)
    return model
