"""A command written in Python: prints what the `greeter` it imports says to "world"."""

from wit_world import exports
from wit_world.imports import greeter


class Run(exports.Run):
    def run(self) -> None:
        print(greeter.greet("world"))
