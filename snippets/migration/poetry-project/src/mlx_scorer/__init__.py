def score(expected: str, actual: str) -> float:
    return 1.0 if expected.strip() == actual.strip() else 0.0
