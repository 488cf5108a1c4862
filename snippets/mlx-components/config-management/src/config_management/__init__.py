"""Settings for MLX services, read from MLX_* environment variables."""

import os
from collections.abc import Mapping

from pydantic import BaseModel


class Settings(BaseModel):
    service_name: str = "mlx-api"
    port: int = 8000
    debug: bool = False


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from MLX_SERVICE_NAME, MLX_PORT and MLX_DEBUG, if set."""
    env = os.environ if environ is None else environ
    values = {}
    for field in Settings.model_fields:
        key = f"MLX_{field.upper()}"
        if key in env:
            values[field] = env[key]
    return Settings(**values)
