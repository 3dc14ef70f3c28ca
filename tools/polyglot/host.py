"""A Python host that links no WASI and calls the library's `greet`.

Usage: python host.py <component.wasm> <interface> <name>... Prints one greeting a line.
"""

import sys

from wasmtime import Engine, Store
from wasmtime.component import Component, Linker


def main():
    path, interface, *names = sys.argv[1:]
    engine = Engine()
    store = Store(engine)
    # Nothing is added to the linker: a component that imports anything fails here.
    instance = Linker(engine).instantiate(store, Component.from_file(engine, path))
    greeter = instance.get_export_index(store, interface)
    greet = instance.get_func(store, instance.get_export_index(store, "greet", greeter))
    for name in names:
        print(greet(store, name))


main()
