"""Serving helpers for MLX Foundation models."""


def greeting() -> str:
    return "mlx-serving is ready"
