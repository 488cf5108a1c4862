from mlx_service import greeting


def test_greeting() -> None:
    assert greeting("ci") == "hello, ci"
