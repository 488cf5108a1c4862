"""The MLX HTTP API: a FastAPI app wired from settings and plugins."""

import argparse

from config_management import load_settings
from fastapi import FastAPI
from plugin_registry import get, names, register


@register("echo")
def echo(text: str) -> str:
    return text


@register("upper")
def upper(text: str) -> str:
    return text.upper()


def create_app() -> FastAPI:
    """Build the app; its title comes from the settings."""
    settings = load_settings()
    app = FastAPI(title=settings.service_name, debug=settings.debug)

    @app.get("/plugins")
    def list_plugins() -> list[str]:
        return names()

    @app.get("/run/{plugin}")
    def run_plugin(plugin: str, text: str) -> str:
        return str(get(plugin)(text))

    return app


def main() -> None:
    argparse.ArgumentParser(description="Print the service settings.").parse_args()
    settings = load_settings()
    app = create_app()
    print(f"{app.title} on port {settings.port}, plugins: {', '.join(names())}")
