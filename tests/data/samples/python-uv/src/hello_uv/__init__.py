def main() -> None:
    print("hello from uv")
