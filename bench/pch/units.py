"""What both PCH measurements read of a compile_commands.json: a unit's flags without its file and output, and its C units under a path."""
import json
import os

CLANG = os.environ.get("CLANG", "clang-14")


def flags(entry):
    arguments = [a for a in entry['arguments'][1:] if a not in ('-c', entry['file'])]
    if '-o' in arguments:
        i = arguments.index('-o')
        del arguments[i:i + 2]
    return tuple(arguments)


def c_units(cc_path, part):
    return [e for e in json.load(open(cc_path)) if part in e['file'] and e['file'].endswith('.c')]
