def greeting(name: str) -> str:
    return f"hello, {name}"


def main() -> None:
    print(greeting("docker"))
