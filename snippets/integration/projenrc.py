from projen.python import PythonProject

project = PythonProject(
    author_email="dev@mlx-foundation.example",
    author_name="MLX Foundation",
    module_name="mlx_service",
    name="mlx-service",
    version="0.1.0",
    uv=True,
    uv_options={"project": {"name": "mlx-service", "requires_python": ">=3.11"}},
    deps=["fastapi>=0.110"],
    dev_deps=["pytest>=8.1"],
)

project.add_task(
    "deps:install-fast",
    exec="uv sync --locked",
    description="Install the locked dependencies with uv",
)

project.synth()
